import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumPages } from '../support/browser.js';
import { chromiumAvailable } from '../support/requirements.js';
import { ServerProcess } from '../support/server-process.js';

describe.runIf(chromiumAvailable())('a first visit to a fresh server, in Chromium', () => {
  let server: ServerProcess;
  let chromium: ChromiumPages;

  beforeAll(async () => {
    // nothing saved yet: the home dashboard is the unsaved Overview of the demo feeds
    server = await ServerProcess.start({ DEMO: '1', DEMO_RATE: '20' });
    // no console error is expected at all
    chromium = await ChromiumPages.launch();
  });
  afterEach(async () => {
    expect(await chromium.closePages()).toEqual([]);
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.stop();
  });

  it('shows the unsaved Overview with no console error and no failed request', async () => {
    const page = await chromium.open(`${server.url}/`);
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/d/home');
    await expect
      .poll(() => page.getByTestId('dashboard-title').textContent(), { timeout: 10_000 })
      .toContain('Overview');
    expect(await page.getByTestId('save-state').textContent()).toBe('unsaved');
    await expect.poll(() => page.getByTestId('connection-state').textContent(), { timeout: 10_000 }).toBe('connected');
    // a chart drew a live value: the page has made its first requests (dashboard, feeds, history, annotations)
    await expect.poll(() => page.getByTestId('legend-last').first().textContent(), { timeout: 10_000 }).toMatch(/\d/);
    expect(chromium.failedRequests()).toEqual([]);
  });
});
