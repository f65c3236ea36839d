import type { DashboardDocument } from '@pulseboard/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BROWSER_OUTPUT as OUTPUT, browserSuite } from '../support/browser-suite.js';
import { getJson, ingest, putDashboard } from '../support/http.js';
import { chromiumAvailable } from '../support/requirements.js';

describe.runIf(chromiumAvailable())('series with labels in the dashboard, in Chromium', () => {
  const suite = browserSuite();
  const { open } = suite;
  const legendNames = (page: Page) => page.getByTestId('legend-name').allTextContents();
  const lastValue = (page: Page, id: string) =>
    page.locator(`[data-testid="legend-last"][data-feed="${id.replaceAll('"', '\\"')}"]`).first();

  it('names each series of a panel by the labels that differ, and groups them by a label', async () => {
    await ingest(suite.server.url, [
      { feed: 'cpu.usage', labels: { host: 'a', dc: 'eu' }, v: 1 },
      { feed: 'cpu.usage', labels: { host: 'b', dc: 'eu' }, v: 2 },
    ]);
    await putDashboard(suite.server.url, 'hosts', {
      title: 'Hosts',
      window: '5m',
      panels: [
        { id: 'cpu', kind: 'timeseries', title: 'CPU', unit: '%', feeds: ['cpu.usage'], x: 0, y: 0, w: 12, h: 5 },
      ],
    });
    const page = await open('#/d/hosts');
    await expect.poll(() => legendNames(page), { timeout: 10_000 }).toEqual(['host=a', 'host=b']);
    expect(await lastValue(page, 'cpu.usage{dc="eu",host="a"}').textContent()).toContain('1');
    expect(await lastValue(page, 'cpu.usage{dc="eu",host="b"}').textContent()).toContain('2');
    await page.screenshot({ path: `${OUTPUT}/series-labels-legend.png` });

    // grouped by dc and summed: one line, saved with the dashboard
    await page.getByTestId('panel-group-by').selectOption('dc');
    await page.getByTestId('panel-aggregate').selectOption('sum');
    await expect.poll(() => legendNames(page), { timeout: 10_000 }).toEqual(['dc=eu']);
    const eu = lastValue(page, 'dc=eu');
    await expect.poll(() => eu.textContent(), { timeout: 10_000 }).toContain('3');
    await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 10_000 }).toBe('saved');
    const saved = await getJson<DashboardDocument>(`${suite.server.url}/api/v1/dashboards/hosts`);
    expect(saved.body.panels[0]).toMatchObject({ feeds: ['cpu.usage'], groupBy: 'dc', aggregate: 'sum' });

    // a new point of one series arrives live and moves the sum
    await ingest(suite.server.url, [{ feed: 'cpu.usage', labels: { host: 'b', dc: 'eu' }, v: 42 }]);
    await expect.poll(() => eu.textContent(), { timeout: 10_000 }).toContain('43');
  });

  it('lists a name with its label keys in the explorer, filters by label and opens one series', async () => {
    await ingest(suite.server.url, [
      { feed: 'mem.used', labels: { host: 'a' }, v: 5 },
      { feed: 'mem.used', labels: { host: 'b' }, v: 6 },
    ]);
    const page = await open('#/explore');
    const group = page.locator('[data-testid="feed-group"][data-name="mem.used"]');
    await group.waitFor({ timeout: 10_000 });
    expect(await group.getByTestId('series-count').textContent()).toBe('2 series');
    expect(await group.getByTestId('label-summary').allTextContents()).toEqual(['host2 values']);

    await page.getByTestId('feed-search').fill('mem.*{host="b"}');
    await expect.poll(() => page.getByTestId('feed-row').count()).toBe(1);
    await page.getByTestId('feed-row').click();
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe('#/feed/mem.used{host="b"}');
    expect(await page.getByTestId('feed-title').textContent()).toBe('mem.used{host="b"}');
    // the series' own page charts it alone, by its full key
    await expect.poll(() => legendNames(page), { timeout: 10_000 }).toEqual(['mem.used{host="b"}']);
  });
});
