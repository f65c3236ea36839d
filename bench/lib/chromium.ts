import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { cpuSeconds } from './proc.js';

/* Headless Debian Chromium for the dashboard figures: launch, frame counting in the page, CPU of its processes. */

/** Debian's Chromium; the bench never downloads a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-precise-memory-info',
];

export const VIEWPORT = { width: 1600, height: 1000 };

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} not found (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 30_000 });
}

/** Rejects with `what` when `promise` has not settled within `ms`: a hung renderer must not hang the run. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A page in a fresh context at the bench's viewport. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await within(browser.newContext({ viewport: VIEWPORT }), 30_000, 'opening a browser context');
  try {
    return { context, page: await within(context.newPage(), 30_000, 'opening a page') };
  } catch (error) {
    await closeContext(context);
    throw error;
  }
}

/** Closes a context; one whose renderer hangs is left to `closeChromium`. */
export async function closeContext(context: BrowserContext): Promise<void> {
  await within(context.close(), 10_000, 'closing a browser context').catch(() => undefined);
}

/** What the page's frame probe hands back. */
interface ProbeReading {
  ms: number;
  /** requestAnimationFrame timestamps. */
  times: number[];
  /** `document.documentElement.dataset.frames` at start and end (the dashboard's drawn frames), if set. */
  chartFrames: [number | null, number | null];
}

interface ProbeWindow extends Window {
  benchFrameProbe?: { running: boolean; start: number; times: number[]; chartFrames: number | null };
}

/** Chart frames the dashboard's redraw scheduler has drawn so far, or `null` when it does not count them. */
export function chartFrames(page: Page): Promise<number | null> {
  return within(
    page.evaluate(() => {
      const raw = document.documentElement.dataset.frames;
      return raw === undefined || raw === '' ? null : Number(raw);
    }),
    10_000,
    'reading dataset.frames',
  );
}

/** Elements matching `selector` with some part inside the viewport. */
export function inView(page: Page, selector: string): Promise<number> {
  return within(
    page.evaluate(
      (css) =>
        [...document.querySelectorAll(css)].filter((element) => {
          const box = element.getBoundingClientRect();
          return box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth;
        }).length,
      selector,
    ),
    10_000,
    'counting elements in view',
  );
}

/** Starts counting `requestAnimationFrame` callbacks in the page. */
export async function startFrameProbe(page: Page): Promise<void> {
  await within(
    page.evaluate(() => {
      const raw = document.documentElement.dataset.frames;
      const probe = {
        running: true,
        start: performance.now(),
        times: [] as number[],
        chartFrames: raw === undefined || raw === '' ? null : Number(raw),
      };
      const tick = (time: number): void => {
        if (!probe.running) return;
        probe.times.push(time);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      (window as ProbeWindow).benchFrameProbe = probe;
    }),
    10_000,
    'starting the frame probe',
  );
}

/** Stops the probe and reads it. */
export async function stopFrameProbe(page: Page): Promise<ProbeReading> {
  return within(
    page.evaluate(() => {
      const probe = (window as ProbeWindow).benchFrameProbe;
      if (probe === undefined) throw new Error('no frame probe in the page');
      probe.running = false;
      const raw = document.documentElement.dataset.frames;
      const reading: ProbeReading = {
        ms: performance.now() - probe.start,
        times: probe.times,
        chartFrames: [probe.chartFrames, raw === undefined || raw === '' ? null : Number(raw)],
      };
      delete (window as ProbeWindow).benchFrameProbe;
      return reading;
    }),
    10_000,
    'reading the frame probe',
  );
}

/** A frame-rate window. */
export interface FrameStats {
  ms: number;
  frames: number;
  /** `requestAnimationFrame` callbacks per second. */
  fps: number;
  /** Intervals between callbacks (ms). */
  intervalP50Ms: number | null;
  intervalP99Ms: number | null;
  intervalMaxMs: number | null;
  /** Intervals over 50 ms (three or more refreshes missed at 60 Hz). */
  longFrames: number;
  /** Dashboard chart frames drawn per second (`dataset.frames`), or `null` when the page does not count them. */
  chartFps: number | null;
}

/** A frame interval longer than this is a visible stutter. */
export const LONG_FRAME_MS = 50;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function frameStats(reading: ProbeReading): FrameStats {
  const intervals: number[] = [];
  for (let i = 1; i < reading.times.length; i++) intervals.push(reading.times[i] - reading.times[i - 1]);
  intervals.sort((a, b) => a - b);
  const [before, after] = reading.chartFrames;
  const seconds = reading.ms / 1000;
  return {
    ms: reading.ms,
    frames: reading.times.length,
    fps: reading.times.length / seconds,
    intervalP50Ms: percentile(intervals, 50),
    intervalP99Ms: percentile(intervals, 99),
    intervalMaxMs: intervals.length === 0 ? null : intervals[intervals.length - 1],
    longFrames: intervals.filter((ms) => ms > LONG_FRAME_MS).length,
    chartFps: before === null || after === null ? null : (after - before) / seconds,
  };
}

/** The renderer's counters from CDP `Performance.getMetrics` (durations in seconds). */
export async function pageMetrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await within(cdp.send('Performance.getMetrics'), 10_000, 'Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** Percent of the window the renderer's main thread spent on each kind of work. */
export interface MainThreadShare {
  /** Every task: the main thread's busy time. */
  taskPct: number;
  scriptPct: number;
  layoutPct: number;
  recalcStylePct: number;
  layoutsPerSec: number;
  recalcStylesPerSec: number;
}

export function mainThreadShare(
  before: Record<string, number>,
  after: Record<string, number>,
  ms: number,
): MainThreadShare {
  const pct = (name: string): number => (((after[name] ?? 0) - (before[name] ?? 0)) / (ms / 1000)) * 100;
  const perSec = (name: string): number => ((after[name] ?? 0) - (before[name] ?? 0)) / (ms / 1000);
  return {
    taskPct: pct('TaskDuration'),
    scriptPct: pct('ScriptDuration'),
    layoutPct: pct('LayoutDuration'),
    recalcStylePct: pct('RecalcStyleDuration'),
    layoutsPerSec: perSec('LayoutCount'),
    recalcStylesPerSec: perSec('RecalcStyleCount'),
  };
}

/** Chromium's process kinds, from its `--type=` flag; the browser process has none. */
export type ChromiumProcessKind = 'browser' | 'renderer' | 'gpu' | 'other';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function kindOf(command: string): ChromiumProcessKind {
  const type = /--type=(\S+)/.exec(command)?.[1];
  if (type === undefined) return 'browser';
  if (type === 'renderer') return 'renderer';
  if (type === 'gpu-process') return 'gpu';
  return 'other';
}

/** Chromium processes started by this process (the browser and everything it forked), with their kind. */
export function chromiumProcesses(): Map<number, ChromiumProcessKind> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out = new Map<number, ChromiumProcessKind>();
  const visit = (pid: number, inside: boolean): void => {
    const command = commandLine(pid);
    const isChromium = inside || command.includes('chromium');
    if (isChromium) out.set(pid, kindOf(command));
    for (const child of children.get(pid) ?? []) visit(child, isChromium);
  };
  for (const child of children.get(process.pid) ?? []) visit(child, false);
  return out;
}

/** CPU of the Chromium processes between `start()` and `stop()`, in percent of one core per kind. */
export class ChromiumCpu {
  private startedAt = 0;
  private readonly before = new Map<number, number>();

  start(): void {
    this.startedAt = performance.now();
    this.before.clear();
    for (const pid of chromiumProcesses().keys()) {
      const cpu = cpuSeconds(pid);
      if (cpu !== undefined) this.before.set(pid, cpu);
    }
  }

  stop(): Record<ChromiumProcessKind | 'total', number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const out = { browser: 0, renderer: 0, gpu: 0, other: 0, total: 0 };
    for (const [pid, kind] of chromiumProcesses()) {
      const cpu = cpuSeconds(pid);
      if (cpu === undefined) continue;
      // a process started during the window counts from zero
      const pct = ((cpu - (this.before.get(pid) ?? 0)) / seconds) * 100;
      out[kind] += pct;
      out.total += pct;
    }
    return out;
  }
}

/** Closes the browser, and kills what is left of it if it does not close in time. */
export async function closeChromium(browser: Browser): Promise<void> {
  const pids = [...chromiumProcesses().keys()];
  try {
    await within(browser.close(), 15_000, 'closing Chromium');
  } catch {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
