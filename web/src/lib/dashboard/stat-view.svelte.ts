import { watchOnScreen } from '../data/on-screen';
import { PanelData, type PanelChange, type PanelDataSource } from '../data/panel-data';
import { decimate, windowStats } from '../data/plot-data';
import { pixelInterval, redrawScheduler, type RedrawHandle } from '../data/redraw-scheduler';
import { readChartTheme, watchTheme } from './chart-theme';
import { paintSparkline } from './sparkline-painter';
import { statTrend, type StatTrend } from './stat-trend';

export interface StatViewOptions {
  source: PanelDataSource;
  feed: string | undefined;
  windowMs: number;
  paused: boolean;
}

/**
 * A stat panel's state: the last value of its feed in the window, the trend
 * since the window's start, the feed's lag, and a sparkline painted by the
 * page's redraw scheduler (at most once per frame, only while on screen).
 */
export class StatView {
  readonly data: PanelData;
  #last = $state<number>();
  #trend = $state.raw<StatTrend>();
  #lag = $state<number>();
  #paused: boolean;
  #handle: RedrawHandle | undefined;
  #range: [number, number] = [0, 0];
  /** The sparkline's width in CSS pixels: the history's resolution. */
  #width = 0;

  constructor(options: StatViewOptions) {
    this.#paused = options.paused;
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
    if (reason === 'history' || !this.#paused) this.#handle?.markDirty();
  }

  #draw(now: number, canvas: HTMLCanvasElement, color: string): void {
    const series = this.data.series[0];
    if (series === undefined) return;
    const { buffer } = series;
    const windowMs = this.data.windowMs;
    if (!this.#paused || this.#range[1] === 0) {
      const newest = buffer.lastTime;
      const to = Number.isFinite(newest) ? Math.max(now, newest) : now;
      this.#range = [to - windowMs, to];
    }
    const [from, to] = this.#range;
    const stats = windowStats(buffer, from, to);
    this.#last = stats.last;
    const trend = statTrend(stats.first, stats.last);
    if (trend?.direction !== this.#trend?.direction || trend?.change !== this.#trend?.change) this.#trend = trend;
    this.#lag = Number.isFinite(buffer.lastTime) ? Math.round(now - buffer.lastTime) : undefined;
    const context = canvas.getContext('2d');
    if (context !== null) paintSparkline(context, decimate(buffer, from, to, canvas.width), from, to, color);
  }
}
