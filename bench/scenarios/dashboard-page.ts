import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { chartFrames, closeContext, openPage, within } from '../lib/chromium.js';
import { BROWSER_PANELS } from '../lib/config.js';

/* Opening the benchmark's dashboard in a page, shared by the frame-rate and heap runs of the browser section. */

export const DASHBOARD_ID = 'bench';
/** How the dashboard marks each panel. */
export const PANEL = '[data-testid="panel"]';
const READY_TIMEOUT_MS = 30_000;

export interface DashboardPage {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  /** From navigation until all panels were on the page and the chart frame counter moved. */
  readyMs: number;
}

/** Keeps the page's first few console errors and uncaught exceptions in `errors`. */
function collectErrors(page: Page, errors: string[]): void {
  const keep = (text: string): void => {
    if (errors.length < 5) errors.push(text.slice(0, 300));
  };
  page.on('pageerror', (error) => keep(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') keep(`console: ${message.text()}`);
  });
}

async function waitForPanels(page: Page): Promise<void> {
  try {
    await page.waitForFunction(
      ({ css, count }) => document.querySelectorAll(css).length === count,
      { css: PANEL, count: BROWSER_PANELS },
      { timeout: READY_TIMEOUT_MS, polling: 100 },
    );
  } catch {
    const found = await within(page.locator(PANEL).count(), 5000, 'counting panels').then(
      String,
      () => 'an unknown number (the page does not answer)',
    );
    throw new Error(`the dashboard showed ${found} of ${BROWSER_PANELS} panels within ${READY_TIMEOUT_MS / 1000} s`);
  }
}

/** Waits until the dashboard's redraw scheduler counts a frame after the first reading. */
async function waitForChartFrames(page: Page): Promise<void> {
  const first = await chartFrames(page);
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    await sleep(200);
    const now = await chartFrames(page);
    if (first !== null && now !== null && now > first) return;
    if (performance.now() > deadline) {
      throw new Error(
        now === null
          ? 'the page never set document.documentElement.dataset.frames (no chart frame drawn)'
          : `dataset.frames stayed at ${now} for ${READY_TIMEOUT_MS / 1000} s: no chart is being redrawn`,
      );
    }
  }
}

/** Opens the dashboard in a fresh context and waits until its panels are on the page and charts are being drawn. */
export async function openDashboard(browser: Browser, url: string, errors: string[]): Promise<DashboardPage> {
  const { context, page } = await openPage(browser);
  try {
    collectErrors(page, errors);
    const started = performance.now();
    await page.goto(url, { waitUntil: 'load', timeout: READY_TIMEOUT_MS });
    await waitForPanels(page);
    await waitForChartFrames(page);
    const readyMs = performance.now() - started;
    const cdp = await within(context.newCDPSession(page), 10_000, 'opening a CDP session');
    await within(cdp.send('Performance.enable'), 10_000, 'Performance.enable');
    return { context, page, cdp, readyMs };
  } catch (error) {
    await closeContext(context);
    throw error;
  }
}
