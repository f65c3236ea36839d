import type { DashboardDocument, Panel } from '@pulseboard/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BROWSER_OUTPUT as OUTPUT, browserSuite } from '../support/browser-suite.js';
import { getJson, ingest, putDashboard } from '../support/http.js';
import { chromiumAvailable } from '../support/requirements.js';

const panel = (id: string, feeds: string[], x = 0, y = 0): Panel => ({
  id,
  kind: 'timeseries',
  title: `Panel ${id}`,
  unit: 'ms',
  feeds,
  x,
  y,
  w: 6,
  h: 4,
});

describe.runIf(chromiumAvailable())('the dashboard in Chromium', () => {
  // a stream or socket cut by a server restart is logged by Chromium itself; anything else is a bug
  const suite = browserSuite({ expected: (message) => /net::ERR_|Failed to load resource/.test(message.text()) });
  const { open } = suite;
  const lastValue = (page: Page, feed: string) =>
    page.locator(`[data-testid="legend-last"][data-feed="${feed}"]`).first();

  it('shows a panel’s last value change after an ingest', async () => {
    await putDashboard(suite.server.url, 'values', {
      title: 'Values',
      window: '5m',
      panels: [panel('a', ['b1.latency'])],
    });
    await ingest(suite.server.url, [{ feed: 'b1.latency', v: 1.5 }]);
    const page = await open('#/d/values');
    await expect.poll(() => page.getByTestId('dashboard-title').textContent()).toContain('Values');
    await expect.poll(() => lastValue(page, 'b1.latency').textContent(), { timeout: 10_000 }).toContain('1.5');
    await ingest(suite.server.url, [{ feed: 'b1.latency', v: 42.25 }]);
    await expect.poll(() => lastValue(page, 'b1.latency').textContent(), { timeout: 10_000 }).toContain('42.25');
    await expect.poll(() => page.getByTestId('connection-state').textContent()).toContain('connected');
    await page.screenshot({ path: `${OUTPUT}/dashboard-values.png` });
  });

  it('shows an annotation made in one page in another, and after a reload', async () => {
    await putDashboard(suite.server.url, 'notes', { title: 'Notes', window: '5m', panels: [panel('a', ['b2.cpu'])] });
    await ingest(suite.server.url, [{ feed: 'b2.cpu', v: 1 }]);
    const [writer, reader] = [await open('#/d/notes'), await open('#/d/notes')];
    for (const page of [writer, reader]) await lastValue(page, 'b2.cpu').waitFor();
    // both viewers are present on the dashboard
    await expect.poll(() => reader.getByTestId('presence-viewer').count(), { timeout: 10_000 }).toBe(2);

    const plot = writer.locator('[data-testid="panel"] .u-over').first();
    const box = (await plot.boundingBox())!;
    await plot.click({ position: { x: box.width * 0.8, y: box.height / 2 } });
    const input = writer.getByTestId('annotation-input');
    await input.fill('deploy v2');
    await input.press('Enter');

    const marker = reader.locator('[data-testid="annotation-marker"][title*="deploy v2"]');
    await marker.first().waitFor({ timeout: 10_000 });
    await reader.reload();
    await reader.locator('[data-testid="annotation-marker"][title*="deploy v2"]').first().waitFor({ timeout: 10_000 });
    const listed = await getJson<{ text: string }[]>(`${suite.server.url}/api/v1/dashboards/notes/annotations`);
    expect(listed.body.map((a) => a.text)).toEqual(['deploy v2']);
  });

  it('saves a changed dashboard on the server and reloads it identical', async () => {
    await putDashboard(suite.server.url, 'saved', {
      title: 'Saved',
      window: '5m',
      panels: [panel('a', ['b3.x']), panel('b', ['b3.y'], 6)],
    });
    const page = await open('#/d/saved');
    await page.getByTestId('panel').nth(1).waitFor();
    await page.getByTestId('window-select').selectOption('15m');
    await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 10_000 }).toBe('saved');
    const saved = await getJson<DashboardDocument>(`${suite.server.url}/api/v1/dashboards/saved`);
    expect(saved.body.window).toBe('15m');

    const before = await page
      .getByTestId('panel')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-panel-id')));
    await page.reload();
    await page.getByTestId('panel').nth(1).waitFor();
    const after = await page.getByTestId('panel').evaluateAll((els) => els.map((e) => e.getAttribute('data-panel-id')));
    expect(after).toEqual(before);
    expect(await page.getByTestId('window-select').inputValue()).toBe('15m');
    const reloaded = await getJson<DashboardDocument>(`${suite.server.url}/api/v1/dashboards/saved`);
    expect(reloaded.body).toEqual(saved.body);
  });

  it('says reconnecting while the server is down and resumes with every point when it is back', async () => {
    await putDashboard(suite.server.url, 'restart', { title: 'Restart', window: '5m', panels: [panel('a', ['b4.v'])] });
    await ingest(suite.server.url, [{ feed: 'b4.v', v: 1 }]);
    const page = await open('#/d/restart');
    await expect.poll(() => lastValue(page, 'b4.v').textContent(), { timeout: 10_000 }).toContain('1');
    await expect.poll(() => page.getByTestId('connection-state').textContent()).toContain('connected');

    await suite.stop('SIGTERM');
    await expect
      .poll(() => page.getByTestId('connection-state').textContent(), { timeout: 15_000 })
      .toMatch(/reconnecting/);
    await suite.startAgain();
    await expect
      .poll(() => page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
      .toContain('connected');
    await ingest(suite.server.url, [{ feed: 'b4.v', v: 7 }]);
    await expect.poll(() => lastValue(page, 'b4.v').textContent(), { timeout: 10_000 }).toContain('7');
    // nothing was lost: the line holds both points and no gap was drawn
    expect(await page.getByTestId('gap-marker').count()).toBe(0);
    await page.screenshot({ path: `${OUTPUT}/dashboard-after-restart.png` });
  });
});
