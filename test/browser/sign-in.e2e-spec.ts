import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TEST_SECRET, token } from '../support/auth.js';
import { ChromiumPages } from '../support/browser.js';
import { post } from '../support/http.js';
import { chromiumAvailable } from '../support/requirements.js';
import { ServerProcess } from '../support/server-process.js';

/** The answer the page expects while signed out (Chromium logs it as an error). */
const EXPECTED_REFUSALS = /\/api\/v1\/session$/;

describe.runIf(chromiumAvailable())('signing in to a server that needs tokens, in Chromium', () => {
  let server: ServerProcess;
  let chromium: ChromiumPages;

  beforeAll(async () => {
    server = await ServerProcess.start({ AUTH_SECRET: TEST_SECRET });
    chromium = await ChromiumPages.launch(
      (message) => /40[134]/.test(message.text()) && EXPECTED_REFUSALS.test(message.location().url),
    );
  });
  afterEach(async () => {
    expect(await chromium.closePages()).toEqual([]);
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.stop();
  });

  const open = (): Promise<Page> => chromium.open(`${server.url}/`);

  it('asks for a token, explains a refusal, then streams with the cookie it set', async () => {
    const page = await open();
    const input = page.getByTestId('sign-in-token');
    await input.waitFor();
    await input.fill('not-a-token');
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toMatch(/not valid/);

    await input.fill(await token({ role: 'viewer', sub: 'erin', name: 'Erin' }));
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('session-name').textContent()).toContain('Erin');
    const state = page.getByTestId('connection-state');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('connected');

    const cookies = await page.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'pulseboard_token')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    // the page never holds the token itself
    expect(await page.evaluate(() => document.cookie)).not.toContain('pulseboard_token');

    // the feed list, fetched with the cookie, shows a feed a producer just wrote
    const producer = await token({ role: 'producer' });
    const written = await post(
      server.url,
      '{"points":[{"feed":"signed.in","v":7}]}',
      'application/json',
      '',
      bearer(producer),
    );
    expect(written.status).toBe(202);
    await page.goto(`${server.url}/#/explore`);
    await page.locator('[data-testid="feed-row"][data-feed="signed.in"]').waitFor();

    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-form').waitFor();
    expect((await page.context().cookies()).find((cookie) => cookie.name === 'pulseboard_token')).toBeUndefined();
  });
});
