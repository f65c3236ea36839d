import type { PanelAggregate } from '@pulseboard/protocol';
import { watchOnScreen } from '../data/on-screen';
import { PanelData, type PanelChange, type PanelDataSource } from '../data/panel-data';
import { decimate, windowStats, type DecimatedSeries, type WindowStats } from '../data/plot-data';
import type { SeriesBuffer } from '../data/series-buffer';
import { pixelInterval, redrawScheduler, type RedrawHandle } from '../data/redraw-scheduler';
import { aggregateBuffers, lineStats } from '../data/series-aggregate';
import { readChartTheme, watchTheme } from './chart-theme';
import { newestOf } from './panel-lines';
import { paintSparkline } from './sparkline-painter';
import { statTrend, type StatTrend } from './stat-trend';

export interface StatViewOptions {
  source: PanelDataSource;
  /** A selector. */
  feed: string | undefined;
  windowMs: number;
  paused: boolean;
  /** How several series the selector matches are combined. */
  aggregate: PanelAggregate;
}

/**
 * A stat panel's state: the last value of its series in the window, the
 * trend since the window's start, the lag, and a sparkline painted by the
 * page's redraw scheduler (at most once per frame, only while on screen).
 *
 * When the selector matches several series, the panel shows them combined
 * with its aggregate (the average by default) as a chart groups them (see
 * `aggregateBuffers`): one number for "CPU across hosts" rather than one
 * host picked by its name.
 */
export class StatView {
  readonly data: PanelData;
  #last = $state<number>();
  #trend = $state.raw<StatTrend>();
  #lag = $state<number>();
  #seriesCount = $state(0);
  #paused: boolean;
  readonly #aggregate: PanelAggregate;
  #handle: RedrawHandle | undefined;
  #range: [number, number] = [0, 0];
  /** The sparkline's width in CSS pixels: the history's resolution. */
  #width = 0;

  constructor(options: StatViewOptions) {
    this.#paused = options.paused;
    this.#aggregate = options.aggregate;
    this.data = new PanelData(options.source, {
      feeds: options.feed === undefined ? [] : [options.feed],
      windowMs: options.windowMs,
      width: () => this.#width || 240,
      onChange: (reason) => this.#changed(reason),
    });
  }

  get last(): number | undefined {
    return this.#last;
  }

  get trend(): StatTrend | undefined {
    return this.#trend;
  }

  get lag(): number | undefined {
    return this.#lag;
  }

  /** How many series the value combines. */
  get seriesCount(): number {
    return this.#seriesCount;
  }

  /** Paints into `canvas` (sized to its box); returns the cleanup. */
  listen(canvas: HTMLCanvasElement): () => void {
    let color = readChartTheme(canvas).series[0];
    const handle = redrawScheduler().add({
      draw: (now) => this.#draw(now, canvas, color),
      interval: () => pixelInterval(this.data.windowMs, this.#width),
    });
    this.#handle = handle;
    const resize = new ResizeObserver(() => {
      const ratio = window.devicePixelRatio || 1;
      this.#width = canvas.clientWidth;
      canvas.width = Math.max(1, Math.round(canvas.clientWidth * ratio));
      canvas.height = Math.max(1, Math.round(canvas.clientHeight * ratio));
      handle.markDirty();
    });
    resize.observe(canvas);
    const stopOnScreen = watchOnScreen(canvas, (onScreen) => handle.setVisible(onScreen));
    const stopTheme = watchTheme(() => {
      color = readChartTheme(canvas).series[0];
      handle.markDirty();
    });
    const stopData = this.data.listen();
    handle.markDirty();
    return () => {
      stopData();
      stopTheme();
      stopOnScreen();
      resize.disconnect();
      handle.remove();
      this.#handle = undefined;
    };
  }

  setWindow(windowMs: number): void {
    this.data.setWindow(windowMs);
  }

  setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    if (!paused) this.#handle?.markDirty();
  }

  #changed(reason: PanelChange): void {
    if (reason === 'history' || reason === 'series' || !this.#paused) this.#handle?.markDirty();
  }

  #draw(now: number, canvas: HTMLCanvasElement, color: string): void {
    const buffers = this.data.series.map((series) => series.buffer);
    if (buffers.length !== this.#seriesCount) this.#seriesCount = buffers.length;
    if (buffers.length === 0) return;
    const windowMs = this.data.windowMs;
    const newest = newestOf(buffers);
    if (!this.#paused || this.#range[1] === 0) {
      const to = Number.isFinite(newest) ? Math.max(now, newest) : now;
      this.#range = [to - windowMs, to];
    }
    const [from, to] = this.#range;
    const { line, stats } = this.#line(buffers, from, to, canvas.width);
    this.#last = stats.last;
    const trend = statTrend(stats.first, stats.last);
    if (trend?.direction !== this.#trend?.direction || trend?.change !== this.#trend?.change) this.#trend = trend;
    this.#lag = Number.isFinite(newest) ? Math.round(now - newest) : undefined;
    const context = canvas.getContext('2d');
    if (context !== null) paintSparkline(context, line(), from, to, color);
  }

  /** What the panel shows of its series: the one as it is, several combined. */
  #line(
    buffers: readonly SeriesBuffer[],
    from: number,
    to: number,
    width: number,
  ): { line: () => DecimatedSeries; stats: WindowStats } {
    if (buffers.length === 1) {
      return { line: () => decimate(buffers[0], from, to, width), stats: windowStats(buffers[0], from, to) };
    }
    const combined = aggregateBuffers(buffers, this.#aggregate, from, to, width);
    return { line: () => combined, stats: lineStats(combined, from, to) };
  }
}
