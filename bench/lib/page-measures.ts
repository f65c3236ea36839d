import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, CDPSession, Page } from 'playwright-core';
import {
  closeContext,
  frameStats,
  openPage,
  startFrameProbe,
  stopFrameProbe,
  within,
  type FrameStats,
} from './chromium.js';
import { isRecord } from './ipc.js';
import { REPO_ROOT } from './processes.js';
import type { PageDelivery } from './results.js';

/* Measurements of a page through CDP, shared by the browser section's windows. */

/** `requestAnimationFrame` rate of `about:blank` in `browser`: what this machine gives an idle page. */
export async function measureBlank(browser: Browser, ms: number): Promise<FrameStats> {
  const { context, page } = await openPage(browser);
  try {
    await page.goto('about:blank', { timeout: 30_000 });
    await startFrameProbe(page);
    await sleep(ms);
    return frameStats(await stopFrameProbe(page));
  } finally {
    await closeContext(context);
  }
}

/** Points in one SSE `points` event's data (`{"feeds":{name:{"t":[…],"v":[…]}}}`). */
function pointsIn(data: string, feeds: Set<string>): number {
  const decoded: unknown = JSON.parse(data);
  if (!isRecord(decoded) || !isRecord(decoded.feeds)) return 0;
  let count = 0;
  for (const [name, chunk] of Object.entries(decoded.feeds)) {
    feeds.add(name);
    if (isRecord(chunk) && Array.isArray(chunk.t)) count += chunk.t.length;
  }
  return count;
}

/**
 * What the page's `EventSource` received over `ms`, read from CDP network
 * events. Network instrumentation costs the renderer a little, so this gets a
 * window of its own rather than running during a frame-rate one.
 */
export async function measureDelivery(cdp: CDPSession, ms: number): Promise<PageDelivery> {
  const feeds = new Set<string>();
  let points = 0;
  let messages = 0;
  let bytes = 0;
  const onMessage = (event: { eventName: string; data: string }): void => {
    if (event.eventName !== 'points') return;
    messages++;
    bytes += Buffer.byteLength(event.data);
    points += pointsIn(event.data, feeds);
  };
  cdp.on('Network.eventSourceMessageReceived', onMessage);
  try {
    await within(cdp.send('Network.enable'), 10_000, 'Network.enable');
    const started = performance.now();
    await sleep(ms);
    const seconds = (performance.now() - started) / 1000;
    return {
      ms: seconds * 1000,
      pointsPerSec: points / seconds,
      messagesPerSec: messages / seconds,
      bytesPerSec: bytes / seconds,
      feeds: feeds.size,
    };
  } finally {
    cdp.off('Network.eventSourceMessageReceived', onMessage);
    await within(cdp.send('Network.disable'), 10_000, 'Network.disable');
  }
}

/**
 * A CPU profile of the page's JavaScript over `ms`, written in the
 * `.cpuprofile` format `tools/profile-top` reads; returns its path from the
 * repository root.
 */
export async function profilePage(cdp: CDPSession, ms: number, name: string): Promise<string> {
  await within(cdp.send('Profiler.enable'), 10_000, 'Profiler.enable');
  await within(cdp.send('Profiler.start'), 10_000, 'Profiler.start');
  await sleep(ms);
  const { profile } = await within(cdp.send('Profiler.stop'), 30_000, 'Profiler.stop');
  await within(cdp.send('Profiler.disable'), 10_000, 'Profiler.disable');
  const path = profilePath(name, 'cpuprofile');
  writeFileSync(`${REPO_ROOT}${path}`, JSON.stringify(profile));
  return path;
}

function profilePath(name: string, extension: string): string {
  mkdirSync(`${REPO_ROOT}bench/results/profiles`, { recursive: true });
  return `bench/results/profiles/browser-${name}-${Date.now()}.${extension}`;
}

/** What a page trace records: the timeline, script, the compositor and Skia's drawing calls. */
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'toplevel',
  'v8.execute',
  'blink',
  'cc',
  'skia',
  'disabled-by-default-skia',
];

/**
 * A Chromium trace of `page` over `ms` (open it in Perfetto, or summarise it
 * with `tools/trace-top`); returns its path from the repository root.
 */
export async function tracePage(browser: Browser, page: Page, ms: number, name: string): Promise<string> {
  const path = profilePath(name, 'trace.json');
  await within(
    browser.startTracing(page, { path: `${REPO_ROOT}${path}`, categories: TRACE_CATEGORIES }),
    10_000,
    'starting a trace',
  );
  await sleep(ms);
  await within(browser.stopTracing(), 60_000, 'stopping the trace');
  return path;
}

export interface HeapUsage {
  /** The V8 heap in use. */
  usedBytes: number;
  /** Blink's own garbage-collected heap (the DOM and its wrappers). */
  embedderBytes: number;
  /** Outside the V8 heap: `ArrayBuffer` contents (typed-array rings) and external strings. */
  backingBytes: number;
}

async function readHeap(cdp: CDPSession): Promise<HeapUsage> {
  const usage = await within(cdp.send('Runtime.getHeapUsage'), 10_000, 'Runtime.getHeapUsage');
  return {
    usedBytes: usage.usedSize,
    embedderBytes: usage.embedderHeapUsedSize,
    backingBytes: usage.backingStorageSize,
  };
}

/** Collections per reading after a forced GC; the smallest reading is kept. */
const GC_TRIES = 3;

/**
 * The page's heap, after a forced GC when `collect`. The page keeps running
 * between the collection and the reading, and a chart frame that lands there
 * adds what it allocated (1–2 MB of fresh plot columns in this dashboard): one
 * pair in four read that high in a 10-minute run. So the GC and reading are
 * done three times and the smallest reading kept.
 */
export async function heapUsage(cdp: CDPSession, collect: boolean): Promise<HeapUsage> {
  if (!collect) return readHeap(cdp);
  let best: HeapUsage | undefined;
  for (let i = 0; i < GC_TRIES; i++) {
    await within(cdp.send('HeapProfiler.collectGarbage'), 60_000, 'HeapProfiler.collectGarbage');
    const usage = await readHeap(cdp);
    if (best === undefined || usage.usedBytes < best.usedBytes) best = usage;
  }
  return best!;
}
