import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { closeContext, frameStats, pageMetrics, startFrameProbe, stopFrameProbe } from '../lib/chromium.js';
import { BROWSER_WINDOW_MS, HEAP_EVERY_MS, type BenchConfig } from '../lib/config.js';
import { errorText } from '../lib/ipc.js';
import { log } from '../lib/log.js';
import { heapUsage } from '../lib/page-measures.js';
import type { ValueShape } from '../lib/points.js';
import type { HeapRun, HeapSample } from '../lib/results.js';
import { openDashboard, type DashboardPage } from './dashboard-page.js';

/** A full window and a margin. */
const HEAP_WARMUP_MS = BROWSER_WINDOW_MS + 15_000;

/**
 * The dashboard's JS heap over `config.browserHeapMs` in a fresh page: after
 * warm-up (a full window, so that the history the page opened with has been
 * replaced by live points), every 30 s a forced GC (CDP `HeapProfiler.collectGarbage`) and
 * `Runtime.getHeapUsage`. The frame probe is stopped while the GC runs, so
 * its pause is not in the frame rates of the intervals.
 */
export async function followHeap(
  browser: Browser,
  url: string,
  values: ValueShape,
  config: BenchConfig,
  errors: string[],
): Promise<HeapRun> {
  const warmupMs = config.quick ? 10_000 : HEAP_WARMUP_MS;
  const run: HeapRun = { status: 'failed', values, warmupMs, everyMs: HEAP_EVERY_MS, samples: [] };
  let open: DashboardPage | undefined;
  try {
    open = await openDashboard(browser, url, errors);
    await sleep(warmupMs);
    const intervals = Math.max(1, Math.round(config.browserHeapMs / HEAP_EVERY_MS));
    const started = performance.now();
    for (let i = 0; i <= intervals; i++) {
      const frames = i === 0 ? undefined : frameStats(await stopFrameProbe(open.page));
      const atMs = performance.now() - started;
      const usage = await heapUsage(open.cdp, true);
      const metrics = await pageMetrics(open.cdp);
      const sample: HeapSample = {
        atMs,
        ...usage,
        nodes: metrics.Nodes ?? 0,
        listeners: metrics.JSEventListeners ?? 0,
        fps: frames?.fps ?? null,
        chartFps: frames?.chartFps ?? null,
      };
      run.samples.push(sample);
      log(
        `  heap at ${(atMs / 60_000).toFixed(1)} min: ${(usage.usedBytes / 1e6).toFixed(1)} MB, ${sample.nodes} nodes` +
          (frames === undefined ? '' : `, ${frames.fps.toFixed(1)} fps`),
      );
      if (i === intervals) break;
      await startFrameProbe(open.page);
      await sleep(Math.max(0, started + (i + 1) * HEAP_EVERY_MS - performance.now()));
    }
    const used = run.samples.map((s) => s.usedBytes);
    const first = used[0];
    const last = used[used.length - 1];
    return {
      ...run,
      status: 'ok',
      firstBytes: first,
      lastBytes: last,
      maxBytes: Math.max(...used),
      lastOverFirst: last / first,
    };
  } catch (error) {
    return { ...run, reason: errorText(error) };
  } finally {
    if (open !== undefined) await closeContext(open.context);
  }
}
