import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './requirements.js';

/** Debian's Chromium, headless, with the network features a closed machine would trip over turned off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Records a page's console errors and uncaught exceptions into `errors`,
 * except those `expected` says are part of what the test does (a 404 the app
 * handles, a stream cut by a server restart — Chromium logs both).
 */
export function recordPageErrors(
  page: Page,
  errors: string[],
  expected: (message: ConsoleMessage) => boolean = () => false,
): void {
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected(message)) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
}
