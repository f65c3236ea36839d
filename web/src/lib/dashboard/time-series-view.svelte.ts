import type { Annotation } from '@pulseboard/protocol';
import uPlot from 'uplot';
import { formatClock } from '../data/format';
import { watchOnScreen } from '../data/on-screen';
import type { FeedSeries } from '../data/feed-series';
import { PanelData, type PanelChange, type PanelDataSource } from '../data/panel-data';
import { alignSeries } from '../data/plot-data';
import { pixelInterval, redrawScheduler, type RedrawHandle } from '../data/redraw-scheduler';
import { labelKeysOf } from '../data/series-names';
import { readChartTheme, watchTheme, type ChartTheme } from './chart-theme';
import { newestOf, panelLines, type Grouping, type PanelLine } from './panel-lines';
import { plotOptions, plotSize } from './time-series-options';

/** Legend values and lag are rewritten at most this often (ms). */
const TEXT_INTERVAL_MS = 250;

/** One line's row in the legend: what the window shows of it, and how old its newest point is. */
export interface LegendRow {
  /** The line's id: a series key, or `label=value` of a group. */
  id: string;
  /** What the legend calls it (`host=a`). */
  name: string;
  /** The full series key, or what a group combines. */
  title: string;
  last?: number;
  min?: number;
  max?: number;
  /** now − the newest point's time, at the last draw (ms). */
  lag?: number;
}

/** A marker over the plot, `left` and `width` in CSS pixels from the plot's left edge. */
export interface GapMark {
  key: string;
  left: number;
  width: number;
  title: string;
}

export interface NoteMark {
  id: string;
  left: number;
  text: string;
  author: string;
  title: string;
}

/** Where uPlot's plotting area sits in the chart's box (CSS pixels). */
export interface PlotBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface TimeSeriesViewOptions {
  source: PanelDataSource;
  /** Selectors: the chart draws every series they match. */
  feeds: readonly string[];
  windowMs: number;
  paused: boolean;
  grouping: Grouping;
  /** Which series keys it takes (all its selectors match by default). */
  accept?: (key: string) => boolean;
}

/**
 * A time-series panel's chart: its data (history then live, bounded), one
 * uPlot drawn by the page's redraw scheduler at most once per frame and only
 * while on screen, and what the panel shows around the plot (legend values,
 * lag, gap and annotation markers), updated at each draw. The plot is built
 * again when its lines change (a series joined, another grouping): uPlot
 * takes its series when it is made.
 */
export class TimeSeriesView {
  readonly data: PanelData;
  #legend = $state.raw<LegendRow[]>([]);
  #lag = $state<number>();
  #gapMarks = $state.raw<GapMark[]>([]);
  #noteMarks = $state.raw<NoteMark[]>([]);
  #box = $state.raw<PlotBox>({ left: 0, top: 0, width: 0, height: 0 });
  #labelKeys = $state.raw<string[]>([]);
  #capped = $state(false);
  #paused: boolean;
  #grouping: Grouping;
  #plot: uPlot | undefined;
  /** Builds the plot again into its container, with the current lines. */
  #rebuild: (() => void) | undefined;
  /** The ids of the lines the plot was built with, one per line. */
  #lineIds: readonly string[] = [];
  /** The series the label keys were read from. */
  #noted: readonly FeedSeries[] = [];
  #handle: RedrawHandle | undefined;
  #annotations: readonly Annotation[] = [];
  #textAt = -Infinity;
  #textTimer: ReturnType<typeof setTimeout> | undefined;
  /** The x range of the last draw; a paused chart keeps it. */
  #range: [number, number] = [Date.now() - 60_000, Date.now()];

  constructor(options: TimeSeriesViewOptions) {
    this.#paused = options.paused;
    this.#grouping = options.grouping;
    this.data = new PanelData(options.source, {
      feeds: options.feeds,
      windowMs: options.windowMs,
      width: () => this.#box.width || 600,
      onChange: (reason) => this.#changed(reason),
      accept: options.accept,
    });
  }

  get legend(): readonly LegendRow[] {
    return this.#legend;
  }

  /** The label keys of the chart's series: what it can be grouped by. */
  get labelKeys(): readonly string[] {
    return this.#labelKeys;
  }

  /** More series match than a panel shows (see `MAX_PANEL_SERIES`). */
  get capped(): boolean {
    return this.#capped;
  }

  /** The largest lag among the lines that have points; undefined before any. */
  get lag(): number | undefined {
    return this.#lag;
  }

  get gapMarks(): readonly GapMark[] {
    return this.#gapMarks;
  }

  get noteMarks(): readonly NoteMark[] {
    return this.#noteMarks;
  }

  get box(): PlotBox {
    return this.#box;
  }

  /** Draws into `container` (its size is the chart's); returns the cleanup. `onPick` gets a clicked moment. */
  listen(container: HTMLElement, onPick: (t: number, left: number) => void): () => void {
    const scheduler = redrawScheduler();
    const handle = scheduler.add({
      draw: (now) => this.#draw(now),
      // the time one pixel spans: drawing sooner repaints the same picture
      interval: () => pixelInterval(this.data.windowMs, this.#box.width),
    });
    this.#handle = handle;

    const build = () => {
      this.#plot?.destroy();
      const plot = new uPlot(this.#options(container, readChartTheme(container)), this.#empty(), container);
      plot.over.addEventListener('click', (event) => {
        const left = event.clientX - plot.over.getBoundingClientRect().left;
        onPick(plot.posToVal(left, 'x'), left);
      });
      this.#plot = plot;
      this.#measure();
      handle.markDirty();
    };
    this.#rebuild = build;
    build();

    const resize = new ResizeObserver(() => {
      const plot = this.#plot;
      const { width, height } = plotSize(container);
      if (plot === undefined || (plot.width === width && plot.height === height)) return;
      plot.setSize({ width, height });
      handle.markDirty();
    });
    resize.observe(container);
    const stopOnScreen = watchOnScreen(container, (onScreen) => handle.setVisible(onScreen));
    const stopTheme = watchTheme(build);
    const stopData = this.data.listen();

    return () => {
      clearTimeout(this.#textTimer);
      this.#textTimer = undefined;
      stopData();
      stopTheme();
      stopOnScreen();
      resize.disconnect();
      handle.remove();
      this.#handle = undefined;
      this.#rebuild = undefined;
      this.#plot?.destroy();
      this.#plot = undefined;
    };
  }

  setWindow(windowMs: number): void {
    this.data.setWindow(windowMs);
  }

  /** A paused chart stops moving where it is; data keeps coming into its bounded buffers. */
  setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    if (!paused) this.#handle?.markDirty();
  }

  /** Draws one line per series, or one per value of `groupBy` (combined with `aggregate`). */
  setGrouping(grouping: Grouping): void {
    if (grouping.groupBy === this.#grouping.groupBy && grouping.aggregate === this.#grouping.aggregate) return;
    this.#grouping = grouping;
    // the legend names other lines at once rather than at its next turn
    this.#textAt = -Infinity;
    this.#handle?.markDirty();
  }

  setAnnotations(annotations: readonly Annotation[]): void {
    this.#annotations = annotations;
    this.#handle?.markDirty();
  }

  #changed(reason: PanelChange): void {
    if (reason === 'history' || reason === 'series' || !this.#paused) this.#handle?.markDirty();
  }

  #draw(now: number): void {
    let plot = this.#plot;
    if (plot === undefined) return;
    const series = this.data.series;
    this.#noteSeries();
    if (!this.#paused) {
      const newest = newestOf(series.map((s) => s.buffer));
      // a producer's clock ahead of this one must not push its points off the right edge
      const to = Math.max(now, Number.isFinite(newest) ? newest : now);
      this.#range = [to - this.data.windowMs, to];
    } else if (this.#range[1] - this.#range[0] !== this.data.windowMs) {
      this.#range = [this.#range[1] - this.data.windowMs, this.#range[1]];
    }
    const [from, to] = this.#range;
    const width = plot.bbox.width / devicePixelRatio || this.#box.width;
    const lines = panelLines(series, this.#grouping, from, to, width);
    if (!sameIds(lines, this.#lineIds)) {
      this.#lineIds = lines.map((line) => line.id);
      this.#rebuild?.();
      plot = this.#plot;
      if (plot === undefined) return;
    }
    const drawn = plot;
    const columns = alignSeries(lines.map((line) => line.data));
    // drawn now rather than in uPlot's microtask, so the scheduler's frame budget sees its cost
    drawn.batch(() => drawn.setData(columns));

    this.#placeMarks(drawn, from, to);
    this.#updateText(now, lines);
  }

  /** Label keys and the cap, read again when the panel's series changed. */
  #noteSeries(): void {
    // the data replaces its list when a series joins
    if (this.data.series !== this.#noted) {
      this.#noted = this.data.series;
      const labelKeys = labelKeysOf(this.#noted.map((series) => series.key));
      if (labelKeys.join('\n') !== this.#labelKeys.join('\n')) this.#labelKeys = labelKeys;
    }
    if (this.data.capped !== this.#capped) this.#capped = this.data.capped;
  }

  /**
   * Legend values and lag, at most {@link TEXT_INTERVAL_MS} apart: text that
   * changes at every frame costs the page a style and layout pass per frame
   * and cannot be read that fast anyway. A skipped update is made up shortly
   * after, so the last values are always shown.
   */
  #updateText(now: number, lines: readonly PanelLine[]): void {
    const wait = this.#textAt + TEXT_INTERVAL_MS - now;
    if (wait > 0) {
      if (this.#textTimer === undefined) {
        this.#textTimer = setTimeout(() => {
          this.#textTimer = undefined;
          this.#handle?.markDirty();
        }, wait);
      }
      return;
    }
    this.#textAt = now;
    const rows = lines.map(({ id, name, title, stats, newest }): LegendRow => {
      const lag = Number.isFinite(newest) ? Math.round(now - newest) : undefined;
      return { id, name, title, last: stats.last, min: stats.min, max: stats.max, lag };
    });
    if (rows.length !== this.#legend.length || rows.some((row, i) => !sameRow(row, this.#legend[i]))) {
      this.#legend = rows;
    }
    const lags = rows.flatMap((row) => (row.lag === undefined ? [] : [row.lag]));
    this.#lag = lags.length === 0 ? undefined : Math.max(...lags);
  }

  #placeMarks(plot: uPlot, from: number, to: number): void {
    const gaps: GapMark[] = [];
    for (const series of this.data.series) {
      for (const gap of series.buffer.gaps) {
        if (gap.to < from || gap.from > to) continue;
        const left = plot.valToPos(Math.max(gap.from, from), 'x');
        const right = plot.valToPos(Math.min(gap.to, to), 'x');
        gaps.push({
          key: `${series.key}@${gap.from}`,
          left,
          width: Math.max(2, right - left),
          title: `${series.key}: no data from ${formatClock(gap.from)} to ${formatClock(gap.to)} (continuity lost)`,
        });
      }
    }
    if (!sameMarks(gaps, this.#gapMarks)) this.#gapMarks = gaps;

    const notes: NoteMark[] = [];
    for (const note of this.#annotations) {
      if (note.t < from || note.t > to) continue;
      notes.push({
        id: note.id,
        left: plot.valToPos(note.t, 'x'),
        text: note.text,
        author: note.author,
        title: `${note.text} (${note.author}, ${formatClock(note.t)})`,
      });
    }
    if (!sameMarks(notes, this.#noteMarks)) this.#noteMarks = notes;
  }

  #measure(): void {
    const over = this.#plot?.over;
    if (over === undefined) return;
    const box = { left: over.offsetLeft, top: over.offsetTop, width: over.clientWidth, height: over.clientHeight };
    const old = this.#box;
    if (box.left !== old.left || box.top !== old.top || box.width !== old.width || box.height !== old.height) {
      this.#box = box;
    }
  }

  #empty(): uPlot.AlignedData {
    return [[], ...this.#lineIds.map(() => [])];
  }

  #options(container: HTMLElement, theme: ChartTheme): uPlot.Options {
    return plotOptions({
      size: plotSize(container),
      lines: this.#lineIds,
      theme,
      range: () => this.#range,
      windowMs: () => this.data.windowMs,
      onSize: () => this.#measure(),
    });
  }
}

function sameRow(a: LegendRow, b: LegendRow | undefined): boolean {
  return (
    b !== undefined &&
    a.id === b.id &&
    a.name === b.name &&
    a.title === b.title &&
    a.last === b.last &&
    a.min === b.min &&
    a.max === b.max &&
    a.lag === b.lag
  );
}

function sameIds(lines: readonly PanelLine[], ids: readonly string[]): boolean {
  return lines.length === ids.length && lines.every((line, i) => line.id === ids[i]);
}

function sameMarks(a: readonly { left: number; title: string }[], b: readonly { left: number; title: string }[]) {
  return (
    a.length === b.length && a.every((mark, i) => Math.abs(mark.left - b[i].left) < 0.5 && mark.title === b[i].title)
  );
}
