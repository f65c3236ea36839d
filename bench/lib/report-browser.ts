import { LONG_FRAME_MS, VIEWPORT, type FrameStats } from './chromium.js';
import {
  BROWSER_FEEDS,
  BROWSER_FEEDS_PER_PANEL,
  BROWSER_PANELS,
  BROWSER_PRODUCER_INTERVAL_MS,
  BROWSER_RATE,
  BROWSER_WINDOW_MS,
  type BenchConfig,
} from './config.js';
import type { ValueShape } from './points.js';
import { fixed, int, table, target, times } from './report-parts.js';
import type { BenchResults, BrowserResult, DashboardWindow, HeapRun, TargetResult } from './results.js';

/* The Markdown section and targets of the dashboard in headless Chromium (see `scenarios/browser.ts`). */

/** The dashboard must keep this many frames per second. */
const FPS_TARGET = 50;
/** The JS heap's last reading must be within this share of its first. */
const HEAP_DRIFT_MAX = 0.1;

const SHAPES: Record<ValueShape, string> = {
  walk: 'drifting values',
  noise: 'full-range noise',
};

function mb(bytes: number | undefined): string {
  return bytes === undefined ? '—' : fixed(bytes / 1e6, 1);
}

function frameRow(name: string, f: FrameStats, ofBaseline: string): string[] {
  return [
    name,
    fixed(f.fps, 1),
    ofBaseline,
    fixed(f.chartFps, 1),
    `${fixed(f.intervalP50Ms, 1)} / ${fixed(f.intervalP99Ms, 1)} / ${fixed(f.intervalMaxMs, 0)}`,
    int(f.longFrames),
  ];
}

/** One row per measure, one column per dashboard window. */
function costRows(windows: DashboardWindow[], cores: number): string[][] {
  const row = (name: string, cell: (d: DashboardWindow) => string): string[] => [name, ...windows.map(cell)];
  const pct = (value: number): string => `${fixed(value, 0)} %`;
  return [
    row('Renderer main thread busy (all tasks)', (d) => pct(d.mainThread.taskPct)),
    row('… running script', (d) => pct(d.mainThread.scriptPct)),
    row(
      '… layout / style recalculation',
      (d) => `${fixed(d.mainThread.layoutPct, 1)} % / ${fixed(d.mainThread.recalcStylePct, 1)} %`,
    ),
    row(
      'Layouts / style recalculations per second',
      (d) => `${fixed(d.mainThread.layoutsPerSec, 1)} / ${fixed(d.mainThread.recalcStylesPerSec, 1)}`,
    ),
    row('Chromium CPU: all / renderer / GPU process / browser / other', (d) => {
      const c = d.chromiumCpu;
      return [c.total, c.renderer, c.gpu, c.browser, c.other].map(pct).join(' / ');
    }),
    row('Server CPU / producer CPU', (d) => `${pct(d.serverCpuPct)} / ${pct(d.producerCpuPct)}`),
    row(
      `Machine CPU of ${int(cores * 100)} % (outside the benchmark and Chromium)`,
      (d) => `${pct(d.machineCpuPct)} (${pct(d.otherCpuPct)})`,
    ),
    row('JS heap at the end of the window (no forced GC)', (d) => `${mb(d.heapUsedBytes)} MB`),
    row('Panels in the viewport', (d) => `${int(d.panelsInView)} of ${int(BROWSER_PANELS)}`),
    row('From navigation to all panels drawing', (d) => `${fixed(d.readyMs / 1000, 1)} s`),
    row('Received by the page (`points` events; own window after this one)', (d) =>
      d.delivered === undefined
        ? '—'
        : `${int(d.delivered.pointsPerSec)} points/s of ${int(d.delivered.feeds)} feeds, ` +
          `${fixed(d.delivered.messagesPerSec, 1)} messages/s, ${fixed(d.delivered.bytesPerSec / 1024, 0)} KB/s of JSON`,
    ),
    row(
      'Ingest accepted during the window',
      (d) =>
        `${int(d.ingest.acceptedPerSec)} points/s` +
        (d.ingest.skippedPoints > 0 ? ` (${int(d.ingest.skippedPoints)} skipped)` : ''),
    ),
  ];
}

function heapRows(heap: HeapRun): string[][] {
  return heap.samples.map((s, i) => [
    String(i + 1),
    fixed(s.atMs / 60_000, 1),
    mb(s.usedBytes),
    heap.firstBytes ? fixed(s.usedBytes / heap.firstBytes, 3) : '—',
    mb(s.embedderBytes),
    mb(s.backingBytes),
    int(s.nodes),
    int(s.listeners),
    fixed(s.fps, 1),
    fixed(s.chartFps, 1),
  ]);
}

function heapLines(heap: HeapRun | undefined, config: BenchConfig): string[] {
  const out = ['', '### Dashboard: JS heap over time', ''];
  if (heap === undefined) return [...out, 'Not run.'];
  out.push(
    `A fresh page of the same dashboard with ${SHAPES[heap.values]}. After ${heap.warmupMs / 1000} s of warm-up, ` +
      `every ${heap.everyMs / 1000} s for ${fixed(config.browserHeapMs / 60_000, 1)} min: the frame counter is stopped, ` +
      'GC is forced (CDP `HeapProfiler.collectGarbage`), `Runtime.getHeapUsage()` and the DOM counters are read, and ' +
      'the counter starts again, so GC pauses are not in the frame rates. The JS heap is `usedSize` (the V8 heap); ' +
      'the Blink heap and array buffers (`embedderHeapUsedSize`, `backingStorageSize`) are shown beside it. ' +
      'The rule: last ÷ first of the JS heap within ' +
      `${(1 - HEAP_DRIFT_MAX).toFixed(2)} … ${(1 + HEAP_DRIFT_MAX).toFixed(2)}.`,
    '',
  );
  if (heap.warmupMs < BROWSER_WINDOW_MS) {
    out.push(
      `The warm-up is shorter than the ${BROWSER_WINDOW_MS / 60_000} m window: the page is still replacing the history it ` +
        'opened with by live points, so growth here is expected.',
      '',
    );
  }
  if (heap.status !== 'ok') out.push(`Failed: ${heap.reason ?? ''}`, '');
  if (heap.samples.length > 0) {
    out.push(
      table(
        [
          'Reading',
          'At (min)',
          'JS heap after GC (MB)',
          '÷ first',
          'Blink heap (MB)',
          'Array buffers (MB)',
          'DOM nodes',
          'Listeners',
          'fps over the interval',
          'Chart frames/s',
        ],
        heapRows(heap),
      ),
    );
  }
  if (heap.status === 'ok') {
    out.push(
      '',
      `First ${mb(heap.firstBytes)} MB, last ${mb(heap.lastBytes)} MB, max ${mb(heap.maxBytes)} MB: ` +
        `last ÷ first = ${fixed(heap.lastOverFirst, 3)}.`,
    );
  }
  return out;
}

function method(b: BrowserResult, config: BenchConfig): string {
  const warmup = b.dashboards[0]?.warmupMs;
  return (
    `The built dashboard (\`web/dist\`) served by Pulseboard, in headless Chromium ${b.chromium ?? ''} ` +
    `(software rendering, \`--disable-gpu\`) at ${VIEWPORT.width}×${VIEWPORT.height}: one dashboard of ` +
    `${BROWSER_PANELS} time-series panels × ${BROWSER_FEEDS_PER_PANEL} feeds (${BROWSER_FEEDS} feeds, 1 m window) ` +
    `while one producer posts ${int(BROWSER_RATE / BROWSER_FEEDS)} points/s to each feed (${int(BROWSER_RATE)} ` +
    `points/s, a post every ${BROWSER_PRODUCER_INTERVAL_MS} ms, each point stamped when it fell due). Two value ` +
    'shapes: drifting values (each feed a random walk, ±5 per point over 0–1000, like a gauge) and full-range ' +
    'noise (uniform over 0–1000 at every point: every pixel column of a chart spans its whole height). For each, ' +
    `points flow for ${fixed(b.prefillMs / 1000, 0)} s before a fresh page opens` +
    (b.prefillMs >= 60_000 ? ', so the charts start with a full window' : '') +
    `, and the window starts ${fixed((warmup ?? 0) / 1000, 0)} s after the panels first draw. Frame rate is ` +
    `\`requestAnimationFrame\` callbacks counted in the page over ${config.browserMeasureMs / 1000} s; chart frames ` +
    'are what the dashboard drew (`document.documentElement.dataset.frames`). The baseline is the same browser on ' +
    '`about:blank` over the same window, with points flowing to the server. CPU is % of one core; the machine has ' +
    `${config.cores} cores.`
  );
}

export function browserSection(results: BenchResults, config: BenchConfig): string[] {
  const b = results.browser;
  if (b === undefined) return [];
  const out: string[] = ['## Dashboard rendering', '', method(b, config), ''];
  if (b.status !== 'ok' && b.dashboards.length === 0) {
    out.push(`Failed: ${b.reason ?? ''}`);
    const notes = [...b.warnings, ...b.pageErrors.map((e) => `page error: ${e}`)];
    if (notes.length > 0) out.push('', ...notes.map((n) => `- ${n}`));
    return out;
  }
  const rows: string[][] = [];
  if (b.baseline !== undefined) rows.push(frameRow('Blank page (`about:blank`)', b.baseline, '1.00×'));
  for (const d of b.dashboards) rows.push(frameRow(`Dashboard, ${SHAPES[d.values]}`, d, times(d.ofBaseline)));
  out.push(
    table(
      [
        'Page',
        'Frames/s (rAF)',
        '÷ blank page',
        'Chart frames/s',
        'Frame interval p50 / p99 / max (ms)',
        `Frames over ${LONG_FRAME_MS} ms`,
      ],
      rows,
    ),
  );
  if (b.dashboards.length > 0) {
    out.push(
      '',
      table(['During the window', ...b.dashboards.map((d) => SHAPES[d.values])], costRows(b.dashboards, config.cores)),
    );
  }
  const files = b.dashboards.flatMap((d) =>
    [
      d.screenshot === undefined ? undefined : `screenshot (${SHAPES[d.values]}): \`${d.screenshot}\``,
      d.profile === undefined ? undefined : `CPU profile (${SHAPES[d.values]}): \`${d.profile}\``,
      d.trace === undefined ? undefined : `trace (${SHAPES[d.values]}): \`${d.trace}\``,
    ].filter((line) => line !== undefined),
  );
  const notes = [
    ...b.warnings,
    ...(b.status !== 'ok' ? [`failed: ${b.reason ?? ''}`] : []),
    ...b.pageErrors.map((e) => `page error: ${e}`),
    ...files,
  ];
  if (notes.length > 0) out.push('', ...notes.map((n) => `- ${n}`));
  out.push(...heapLines(b.heap, config));
  return out;
}

export function evaluateBrowserTargets(results: BenchResults, config: BenchConfig): TargetResult[] {
  const b = results.browser;
  if (b === undefined) return [];
  const minutes = fixed(config.browserHeapMs / 60_000, config.browserHeapMs % 60_000 === 0 ? 0 : 1);
  const heap = b.heap?.status === 'ok' ? b.heap : undefined;
  const drift = heap?.lastOverFirst === undefined ? null : Math.abs(heap.lastOverFirst - 1) * 100;
  const load = `${BROWSER_PANELS} panels × ${BROWSER_FEEDS_PER_PANEL} feeds × 100 points/s`;
  return [
    ...config.browserValues.map((values) =>
      target(
        `Dashboard frame rate, ${SHAPES[values]} (${load}, headless Chromium)`,
        b.dashboards.find((d) => d.values === values)?.fps,
        FPS_TARGET,
        'fps',
        'min',
      ),
    ),
    target(
      `Dashboard JS heap after ${minutes} min within ±${HEAP_DRIFT_MAX * 100} % of the first reading (after GC)`,
      drift,
      HEAP_DRIFT_MAX * 100,
      '%',
      'max',
      heap === undefined
        ? undefined
        : `last ÷ first = ${fixed(heap.lastOverFirst, 3)} (${mb(heap.firstBytes)} → ${mb(heap.lastBytes)} MB, ` +
            `max ${mb(heap.maxBytes)} MB); measured is the distance of last ÷ first from 1 in %, met when ` +
            `${(1 - HEAP_DRIFT_MAX).toFixed(2)} ≤ last ÷ first ≤ ${(1 + HEAP_DRIFT_MAX).toFixed(2)}`,
    ),
  ];
}
