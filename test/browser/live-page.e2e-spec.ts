import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { ingest } from '../support/http.js';
import { chromiumAvailable } from '../support/requirements.js';
import { ServerProcess } from '../support/server-process.js';

const OUTPUT = 'test-output';

describe.runIf(chromiumAvailable())('the live page in Chromium', () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await ServerProcess.start({ DEMO: '1', DEMO_RATE: '20' });
    browser = await launchChromium();
    mkdirSync(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads without console errors, charts the demo feeds live, and shows a pushed value', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(server.url);

    await page.getByText('live', { exact: true }).waitFor();
    await page.locator('canvas').first().waitFor();
    expect(await page.locator('article').count()).toBeGreaterThanOrEqual(6);

    await ingest(server.url, [{ feed: 'demo.pushed', v: 0.125 }]);
    // the feed list refreshes every 5 s; the new feed matches demo.> and gets a chart with its last value
    const chart = page.locator('article', { hasText: 'demo.pushed' });
    await chart.waitFor({ timeout: 15_000 });
    await chart.getByText('0.125').waitFor();
    await page.screenshot({ path: `${OUTPUT}/live-page.png` });
    expect(errors).toEqual([]);
    await page.close();
  });
});
