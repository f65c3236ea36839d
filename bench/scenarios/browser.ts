import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DashboardDocument, Panel } from '@pulseboard/protocol';
import type { Browser } from 'playwright-core';
import {
  ChromiumCpu,
  closeChromium,
  closeContext,
  frameStats,
  inView,
  launchChromium,
  mainThreadShare,
  pageMetrics,
  startFrameProbe,
  stopFrameProbe,
  within,
  type FrameStats,
} from '../lib/chromium.js';
import {
  BROWSER_FEEDS,
  BROWSER_FEEDS_PER_PANEL,
  BROWSER_PANELS,
  BROWSER_PRODUCER_INTERVAL_MS,
  BROWSER_RATE,
  BROWSER_WINDOW_MS,
  HEAP_EVERY_MS,
  PRODUCER_MAX_IN_FLIGHT,
  type BenchConfig,
} from '../lib/config.js';
import { errorText } from '../lib/ipc.js';
import { log } from '../lib/log.js';
import { heapUsage, measureBlank, measureDelivery, profilePage, tracePage } from '../lib/page-measures.js';
import { feedNames, type ValueShape } from '../lib/points.js';
import { sendJson } from '../lib/post.js';
import { REPO_ROOT, ServerProcess, Worker } from '../lib/processes.js';
import { CpuMeter } from '../lib/proc.js';
import { producerReport } from '../lib/reports.js';
import type { BrowserResult, DashboardWindow } from '../lib/results.js';
import { followHeap } from './browser-heap.js';
import { DASHBOARD_ID, openDashboard, PANEL } from './dashboard-page.js';

/** Twice the window: the server's memory and work stop growing after that, so they do not drift under the heap run. */
const SERVER_RETENTION_MS = 2 * BROWSER_WINDOW_MS;
const WEB_DIST = `${REPO_ROOT}web/dist`;

/** The benchmark's dashboard: 20 time-series panels of 5 feeds each, 4 to a row. */
export function benchDashboard(): DashboardDocument {
  const feeds = feedNames(BROWSER_FEEDS);
  const panels: Panel[] = Array.from({ length: BROWSER_PANELS }, (_, i) => ({
    id: `p${i}`,
    kind: 'timeseries',
    title: `Feeds ${i * BROWSER_FEEDS_PER_PANEL}–${(i + 1) * BROWSER_FEEDS_PER_PANEL - 1}`,
    unit: '',
    feeds: feeds.slice(i * BROWSER_FEEDS_PER_PANEL, (i + 1) * BROWSER_FEEDS_PER_PANEL),
    x: (i % 4) * 3,
    y: Math.floor(i / 4) * 4,
    w: 3,
    h: 4,
  }));
  return { title: 'Bench', window: '1m', panels };
}

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/** `npm run bench` does not build the web app: a missing build stops the section, a stale one is reported. */
function checkWebBuild(): string[] {
  if (!existsSync(`${WEB_DIST}/index.html`)) {
    throw new Error(
      `${WEB_DIST}/index.html is missing: build the dashboard first (npm run build, or npm run build:web)`,
    );
  }
  const built = statSync(`${WEB_DIST}/index.html`).mtimeMs;
  const changed = Math.max(newestChange(`${REPO_ROOT}web/src`), newestChange(`${REPO_ROOT}web/index.html`));
  return changed > built
    ? ['web/src changed after web/dist was built: these figures may not be of the current code']
    : [];
}

/** A producer of 100 points/s on each of the 100 feeds, each point stamped when it fell due. */
async function startProducer(port: number, values: ValueShape): Promise<Worker> {
  const producer = new Worker('producer', 'load/producer.js');
  try {
    await producer.request({
      type: 'start',
      port,
      rate: BROWSER_RATE,
      intervalMs: BROWSER_PRODUCER_INTERVAL_MS,
      maxInFlight: PRODUCER_MAX_IN_FLIGHT,
      feeds: BROWSER_FEEDS,
      stamp: 'due',
      values,
    });
    return producer;
  } catch (error) {
    await producer.stop();
    throw error;
  }
}

/** What a dashboard window runs against. */
interface Running {
  browser: Browser;
  server: ServerProcess;
  producer: Worker;
  url: string;
  baseline: FrameStats;
  errors: string[];
}

/**
 * One frame-rate window of the dashboard in a fresh page, `warmupMs` after its
 * panels first draw; then the points the page receives in a window of its own,
 * and with `--profile` a CPU profile and a trace of the page.
 */
async function measureDashboard(run: Running, values: ValueShape, config: BenchConfig): Promise<DashboardWindow> {
  const { server, producer } = run;
  const open = await openDashboard(run.browser, run.url, run.errors);
  log(`  dashboard (${values}) ready in ${(open.readyMs / 1000).toFixed(1)} s`);
  try {
    const warmupMs = config.quick ? 2000 : 5000;
    await sleep(warmupMs);
    const chromiumCpu = new ChromiumCpu();
    const meter = new CpuMeter({ server: server.pid, producer: producer.pid, runner: process.pid }, config.cores);
    await producer.request({ type: 'reset' });
    const panelsInView = await inView(open.page, PANEL);
    const before = await pageMetrics(open.cdp);
    chromiumCpu.start();
    meter.start();
    await startFrameProbe(open.page);
    await sleep(config.browserMeasureMs);
    const frames = frameStats(await stopFrameProbe(open.page));
    const cpu = meter.stop();
    const browserCpu = chromiumCpu.stop();
    const after = await pageMetrics(open.cdp);
    const produced = producerReport(await producer.request({ type: 'report' }));
    const bench = Object.values(cpu.processes).reduce((a, b) => a + b, 0);
    const result: DashboardWindow = {
      ...frames,
      values,
      warmupMs,
      ofBaseline: run.baseline.fps > 0 ? frames.fps / run.baseline.fps : null,
      mainThread: mainThreadShare(before, after, frames.ms),
      chromiumCpu: browserCpu,
      serverCpuPct: cpu.processes.server ?? 0,
      producerCpuPct: cpu.processes.producer ?? 0,
      machineCpuPct: cpu.machine,
      otherCpuPct: Math.max(0, cpu.machine - browserCpu.total - bench),
      heapUsedBytes: (await heapUsage(open.cdp, false)).usedBytes,
      readyMs: open.readyMs,
      panelsInView,
      ingest: {
        acceptedPerSec: produced.accepted / (produced.windowMs / 1000),
        skippedPoints: produced.skipped,
        non202: produced.non202,
        errors: produced.errors,
      },
    };
    log(
      `  ${frames.fps.toFixed(1)} fps (${frames.chartFps?.toFixed(1) ?? '—'} chart frames/s), main thread ` +
        `${result.mainThread.taskPct.toFixed(0)} % busy, Chromium ${browserCpu.total.toFixed(0)} % CPU, ` +
        `machine ${cpu.machine.toFixed(0)} % (other ${result.otherCpuPct.toFixed(0)} %)`,
    );
    result.delivered = await measureDelivery(open.cdp, config.quick ? 2000 : 5000);
    log(
      `  the page received ${Math.round(result.delivered.pointsPerSec).toLocaleString('en-US')} points/s ` +
        `of ${result.delivered.feeds} feeds in ${result.delivered.messagesPerSec.toFixed(1)} messages/s`,
    );
    if (config.profile) {
      result.profile = await profilePage(open.cdp, Math.min(10_000, config.browserMeasureMs), `dashboard-${values}`);
      result.trace = await tracePage(run.browser, open.page, 3000, `dashboard-${values}`);
    }
    const shot = `bench/results/dashboard-${values}-${new Date().toISOString().replace(/[:.]/g, '-')}.png`;
    mkdirSync(`${REPO_ROOT}bench/results`, { recursive: true });
    await within(open.page.screenshot({ path: `${REPO_ROOT}${shot}` }), 30_000, 'screenshot');
    result.screenshot = shot;
    return result;
  } finally {
    await closeContext(open.context);
  }
}

/**
 * The dashboard in headless Chromium: 20 time-series panels of 5 feeds each
 * while 100 feeds get 100 points/s each. For each value shape: points flow a
 * full window, then the frame rate of a fresh page (`requestAnimationFrame`
 * callbacks, and chart frames the dashboard drew) against the same browser's
 * rate on a blank page. After the first shape's window, the JS heap is
 * followed for minutes in another fresh page.
 */
export async function runBrowser(config: BenchConfig): Promise<BrowserResult> {
  // points flow a full window before each page opens, so that its backfill is a full window
  const prefillMs = config.quick ? 10_000 : BROWSER_WINDOW_MS;
  const base: BrowserResult = {
    status: 'failed',
    panels: BROWSER_PANELS,
    feeds: BROWSER_FEEDS,
    rate: BROWSER_RATE,
    prefillMs,
    warnings: [],
    dashboards: [],
    pageErrors: [],
  };
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let producer: Worker | undefined;
  let browser: Browser | undefined;
  try {
    base.warnings.push(...checkWebBuild());
    for (const warning of base.warnings) log(`  ${warning}`);
    dataDir = mkdtempSync(join(tmpdir(), 'pulseboard-bench-'));
    server = await ServerProcess.start('pulseboard', {
      env: { DATA_DIR: dataDir, RETENTION_MS: String(SERVER_RETENTION_MS) },
    });
    const put = await sendJson(server.port, 'PUT', `/api/v1/dashboards/${DASHBOARD_ID}`, benchDashboard());
    if (put.status !== 200 && put.status !== 201) {
      throw new Error(`PUT /api/v1/dashboards/${DASHBOARD_ID} answered ${put.status}: ${put.text.slice(0, 200)}`);
    }
    browser = await launchChromium();
    base.chromium = browser.version();
    const url = `http://127.0.0.1:${server.port}/#/d/${DASHBOARD_ID}`;

    for (const [i, values] of config.browserValues.entries()) {
      await producer?.stop();
      producer = await startProducer(server.port, values);
      const producing = performance.now();
      log(`  ${values} values: points flow for ${prefillMs / 1000} s before the dashboard opens`);
      if (base.baseline === undefined) {
        base.baseline = await measureBlank(browser, config.browserMeasureMs);
        log(`  blank page, Chromium ${base.chromium}: ${base.baseline.fps.toFixed(1)} fps`);
      }
      await sleep(Math.max(0, producing + prefillMs - performance.now()));
      const running = { browser, server, producer, url, baseline: base.baseline, errors: base.pageErrors };
      base.dashboards.push(await measureDashboard(running, values, config));
      if (i === 0) {
        log(
          `  JS heap: ${config.browserHeapMs / 60_000} min in a fresh page, a reading every ${HEAP_EVERY_MS / 1000} s`,
        );
        base.heap = await followHeap(browser, url, values, config, base.pageErrors);
      }
      if (server.exit !== undefined) throw new Error(`the server exited during the run (${server.exit})`);
    }
    return { ...base, status: 'ok' };
  } catch (error) {
    const output = server?.recentOutput;
    return { ...base, status: 'failed', reason: errorText(error) + (output ? ` — server said: ${output}` : '') };
  } finally {
    if (browser !== undefined) await closeChromium(browser);
    await producer?.stop();
    await server?.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}
