import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleMessage, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { ChromiumPages } from './browser.js';
import { ServerProcess } from './server-process.js';

/** Where browser tests leave their screenshots. */
export const BROWSER_OUTPUT = 'test-output';

export interface BrowserSuite {
  readonly server: ServerProcess;
  readonly chromium: ChromiumPages;
  /** The server's data directory, kept across restarts and removed at the end. */
  readonly dataDir: string;
  /** Opens a page of the dashboard app at `path` (after the server's `/`). */
  open(path: string, colorScheme?: 'light' | 'dark'): Promise<Page>;
  /** Stops the server (its port and data are kept for {@link startAgain}). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the port and data it had. */
  startAgain(): Promise<void>;
}

export interface BrowserSuiteOptions {
  /** The server's environment besides its data directory. */
  env?: Record<string, string>;
  /** Console messages the pages may log (anything else fails the test that logged it). */
  expected?: (message: ConsoleMessage) => boolean;
}

/**
 * One built server in its own process with a data directory of its own, and
 * Chromium, for a `describe` block: started before its tests, every page
 * checked for console errors and closed after each, all stopped at the end.
 */
export function browserSuite(options: BrowserSuiteOptions = {}): BrowserSuite {
  let server: ServerProcess | undefined;
  let chromium: ChromiumPages | undefined;
  let dataDir: string | undefined;
  const env = (): Record<string, string> => ({ ...options.env, DATA_DIR: dataDir! });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pulseboard-browser-'));
    server = await ServerProcess.start(env());
    chromium = await ChromiumPages.launch(options.expected);
    mkdirSync(BROWSER_OUTPUT, { recursive: true });
  });
  afterEach(async () => {
    expect(await chromium!.closePages()).toEqual([]);
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    get server() {
      return server!;
    },
    get chromium() {
      return chromium!;
    },
    get dataDir() {
      return dataDir!;
    },
    open: (path, colorScheme) => chromium!.open(`${server!.url}/${path}`, colorScheme),
    stop: async (signal) => {
      await server!.stop(signal);
    },
    startAgain: async () => {
      server = await ServerProcess.start({ ...env(), PORT: new URL(server!.url).port });
    },
  };
}
