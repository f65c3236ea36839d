import { chromium, type Browser } from 'playwright-core';
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
