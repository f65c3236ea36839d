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
    if (message.type() === 'error' && !expected(message)) errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
}

/**
 * Records a page's requests that failed or were answered with an HTTP error
 * into `failed`, as `404 GET http://…/api/v1/dashboards/home`.
 */
export function recordFailedRequests(page: Page, failed: string[]): void {
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    failed.push(`${request.failure()?.errorText ?? 'failed'} ${request.method()} ${request.url()}`);
  });
}

/**
 * Pages of one Chromium for a suite. A test's pages are closed after it, and
 * the console errors and uncaught exceptions they logged come back to be
 * asserted empty — except those `expected` says the test causes.
 */
export class ChromiumPages {
  private readonly pages: Page[] = [];
  private readonly errors: string[] = [];
  private readonly failed: string[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly expected: (message: ConsoleMessage) => boolean,
  ) {}

  static async launch(expected: (message: ConsoleMessage) => boolean = () => false): Promise<ChromiumPages> {
    return new ChromiumPages(await launchChromium(), expected);
  }

  /** A new 1280 × 800 page at `url`. */
  async open(url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await this.browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme });
    this.pages.push(page);
    recordPageErrors(page, this.errors, this.expected);
    recordFailedRequests(page, this.failed);
    await page.goto(url);
    return page;
  }

  /**
   * The requests of the open pages that failed or got an HTTP error so far.
   * Read before {@link closePages}: closing a page cuts its stream, which counts as a failed request.
   */
  failedRequests(): string[] {
    return [...this.failed];
  }

  /** Closes the pages opened since the last call; resolves with the errors they logged. */
  async closePages(): Promise<string[]> {
    for (const page of this.pages.splice(0)) await page.close();
    this.failed.length = 0;
    return this.errors.splice(0);
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
