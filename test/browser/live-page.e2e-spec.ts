import type { DashboardDocument } from '@pulseboard/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BROWSER_OUTPUT as OUTPUT, browserSuite } from '../support/browser-suite.js';
import { getJson, ingest } from '../support/http.js';
import { chromiumAvailable } from '../support/requirements.js';

describe.runIf(chromiumAvailable())('the app shell and feed explorer in Chromium', () => {
  const suite = browserSuite({ env: { DEMO: '1', DEMO_RATE: '20' } });

  const { open } = suite;
  const theme = (page: Page) => page.evaluate(() => document.documentElement.dataset.theme);
  const row = (page: Page, feed: string) => page.locator(`[data-testid="feed-row"][data-feed="${feed}"]`);

  it('opens on the home dashboard with the connection shown as connected', async () => {
    const page = await open('');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/d/home');
    const state = page.getByTestId('connection-state');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('connected');
    expect(await state.getAttribute('role')).toBe('status');
    expect(await state.getAttribute('aria-live')).toBe('polite');

    await page.goto(`${suite.server.url}/#/no/such/page`);
    await page.getByText('Page not found').waitFor();
    await page.getByRole('link', { name: 'Go to the home dashboard' }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/d/home');
  });

  it('switches the theme, applies it to <html> and remembers it', async () => {
    const page = await open('#/explore', 'light');
    await row(page, 'demo.sine').waitFor();
    expect(await theme(page)).toBe('light');

    await page.getByTitle('Dark theme').click();
    await expect.poll(() => theme(page)).toBe('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.reload();
    await row(page, 'demo.sine').waitFor();
    expect(await theme(page)).toBe('dark');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(background);

    // "system" follows the browser's colour scheme
    await page.getByTitle('System theme').click();
    await expect.poll(() => theme(page)).toBe('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => theme(page)).toBe('dark');
  });

  it('lists the demo feeds with sparklines, filters by pattern, and shows a pushed feed', async () => {
    const page = await open('#/explore');
    const demo = page.locator('[data-testid="feed-row"][data-feed^="demo."]');
    await demo.first().waitFor();
    expect(await demo.count()).toBeGreaterThanOrEqual(6);
    // every visible demo row draws its last minute
    await expect
      .poll(() => demo.locator('[data-testid="sparkline"] path').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: `${OUTPUT}/explorer-light.png` });

    const search = page.getByTestId('feed-search');
    await search.fill('demo.*');
    await expect.poll(() => page.getByTestId('feed-row').count()).toBe(await demo.count());
    await search.fill('demo.>.x');
    await expect.poll(() => page.getByTestId('search-problem').textContent()).toContain("'>' may only be the last");
    expect(await search.getAttribute('aria-invalid')).toBe('true');
    await search.fill('');

    await ingest(suite.server.url, [{ feed: 'e2e.pushed', v: 0.125 }]);
    const pushed = row(page, 'e2e.pushed');
    await pushed.waitFor({ timeout: 10_000 });
    expect(await pushed.textContent()).toContain('0.125');

    // keyboard: from the search box down into the list, Enter opens the feed's own view
    await search.fill('e2e');
    await expect.poll(() => page.getByTestId('feed-row').count()).toBe(1);
    await search.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/feed/e2e.pushed');
    expect(await page.getByTestId('feed-title').textContent()).toBe('e2e.pushed');

    await page.goto(`${suite.server.url}/#/explore`);
    await page.getByTitle('Dark theme').click();
    await demo.locator('[data-testid="sparkline"] path').first().waitFor();
    await page.screenshot({ path: `${OUTPUT}/explorer-dark.png` });
  });

  it('adds a feed to the home dashboard from its own view', async () => {
    await ingest(suite.server.url, [{ feed: 'e2e.added', v: 3 }]);
    const page = await open('#/feed/e2e.added');
    await page.getByTestId('panel').waitFor();
    await page.getByTestId('add-to-dashboard').click();
    await page.getByTestId('add-target').selectOption('home');
    await page.getByTestId('add-confirm').click();

    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/d/home');
    const added = page.locator('[data-testid="panel"][data-panel-id="feed-1"]');
    await added.waitFor({ timeout: 10_000 });
    expect(await added.textContent()).toContain('e2e.added');
    const home = await getJson<DashboardDocument>(`${suite.server.url}/api/v1/dashboards/home`);
    expect(home.body.panels.at(-1)).toMatchObject({ id: 'feed-1', kind: 'timeseries', feeds: ['e2e.added'], w: 12 });
  });

  it('creates, lists and deletes dashboards', async () => {
    const page = await open('#/dashboards');
    await page.getByTestId('new-dashboard').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#\/d\/[A-Za-z0-9_:.-]+$/);
    const id = (await page.evaluate(() => location.hash)).slice('#/d/'.length);
    const created = await getJson<DashboardDocument>(`${suite.server.url}/api/v1/dashboards/${id}`);
    expect(created.body).toMatchObject({ title: 'New dashboard', window: '5m', panels: [] });

    await page.getByRole('link', { name: 'Dashboards', exact: true }).click();
    const link = page.locator(`[data-dashboard="${id}"] [data-testid="dashboard-link"]`);
    await link.waitFor();
    expect(await link.textContent()).toBe('New dashboard');
    await page.locator(`[data-dashboard="${id}"] [data-testid="delete-dashboard"]`).click();
    // the question takes focus, so Enter answers it
    await page.keyboard.press('Enter');
    await link.waitFor({ state: 'detached' });
    expect((await getJson(`${suite.server.url}/api/v1/dashboards/${id}`)).status).toBe(404);
  });
});
