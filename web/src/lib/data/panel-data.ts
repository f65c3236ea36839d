import type { FeedChunk } from '@pulseboard/protocol';
import type { PointsQuery, SeriesInfo } from './api';
import { FeedSeries, windowMargin } from './feed-series';
import type { FeedSink } from './live-client.svelte';
import { DEFAULT_CAPACITY } from './series-buffer';

/**
 * Why a panel's data changed: a paused panel ignores live points and gaps
 * but draws a new history, and a series that joined the panel.
 */
export type PanelChange = 'live' | 'gap' | 'history' | 'series';

/** What a panel's data needs of the live client. */
export interface PanelDataSource {
  subscribe(feeds: readonly string[], sink: FeedSink): () => void;
  readonly api: {
    feeds(match: string, signal?: AbortSignal): Promise<SeriesInfo[]>;
    points(series: string, query: PointsQuery, signal?: AbortSignal): Promise<FeedChunk>;
  };
}

export interface PanelDataOptions {
  /** Selectors: the panel shows every series they match. */
  feeds: readonly string[];
  windowMs: number;
  /** The chart's width in pixels: history is requested at that resolution. */
  width: () => number;
  /** New points (`live`), a history (`history`), a gap or a new series arrived, or the window changed (`history`). */
  onChange: (reason: PanelChange) => void;
  /** Which series keys the panel takes (all that its selectors match by default). */
  accept?: (key: string) => boolean;
  now?: () => number;
}

/** Series one panel shows at most; the others its selectors match are left out (`capped`). */
export const MAX_PANEL_SERIES = 32;
/**
 * Series that keep a full buffer; the others keep a quarter of one. A chart
 * draws two points per pixel column at most and a full buffer compacts its
 * older half, so a smaller one only coarsens the start of a long window,
 * and a panel of 32 series holds under 3 MB.
 */
const FULL_BUFFERS = 4;

/**
 * The data of one panel: a {@link FeedSeries} per series its selectors
 * match, fed by the live client and backfilled from the points endpoint.
 *
 * Series are found two ways: the feed list (`GET /api/v1/feeds?match=`)
 * once the client says a selector is live, and the stream itself, whose
 * frames name series by key (a series created since). Either way the
 * series is on the stream before its history is requested, so history and
 * live points overlap rather than leave a hole between them.
 */
export class PanelData {
  readonly #source: PanelDataSource;
  readonly #options: PanelDataOptions;
  readonly #selectors: ReadonlySet<string>;
  #series: FeedSeries[] = [];
  readonly #byKey = new Map<string, FeedSeries>();
  readonly #tokens = new Map<string, number>();
  #capped = false;
  #windowMs: number;
  /** Aborted by the cleanup: the feed-list requests. */
  readonly #lifetime = new AbortController();
  /** Aborted by a new window and by the cleanup: the history requests. */
  #history = new AbortController();

  constructor(source: PanelDataSource, options: PanelDataOptions) {
    this.#source = source;
    this.#options = options;
    this.#windowMs = options.windowMs;
    this.#selectors = new Set(options.feeds);
  }

  /** The panel's series, sorted by key. */
  get series(): readonly FeedSeries[] {
    return this.#series;
  }

  /** Its selectors match more than {@link MAX_PANEL_SERIES} series: some are not shown. */
  get capped(): boolean {
    return this.#capped;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** Subscribes the selectors; returns the cleanup that unsubscribes and drops pending requests. */
  listen(): () => void {
    const sink: FeedSink = {
      points: (key, t, v) => {
        const series = this.#seriesFor(key);
        if (series === undefined) return;
        series.live(t, v);
        this.#options.onChange('live');
      },
      gap: (gap) => {
        let changed = false;
        for (const key of gap.feeds) {
          const series = this.#byKey.get(key);
          if (series === undefined) continue;
          series.gap(gap.reason);
          changed = true;
        }
        if (changed) this.#options.onChange('gap');
      },
      live: (selector) => {
        if (this.#selectors.has(selector)) void this.#discover(selector);
      },
    };
    const unsubscribe = this.#source.subscribe([...this.#selectors], sink);
    return () => {
      this.#lifetime.abort();
      this.#history.abort();
      unsubscribe();
    };
  }

  /** Shows another window: prunes to it and loads its history again (live points wait meanwhile). */
  setWindow(windowMs: number): void {
    if (windowMs === this.#windowMs) return;
    this.#windowMs = windowMs;
    this.#history.abort();
    this.#history = new AbortController();
    for (const series of this.#series) {
      series.setWindow(windowMs);
      this.#tokens.set(series.key, series.beginBackfill());
      void this.#backfill(series);
    }
    this.#options.onChange('history');
  }

  /** Lists the series `selector` matches now, and adds those the panel does not have yet. */
  async #discover(selector: string): Promise<void> {
    const signal = this.#lifetime.signal;
    let listed: SeriesInfo[];
    try {
      listed = await this.#source.api.feeds(selector, signal);
    } catch {
      // no list (the server is away, or refused): series still join as their points arrive
      return;
    }
    if (signal.aborted) return;
    for (const info of listed) this.#seriesFor(info.series);
  }

  /**
   * The series under `key`, added (and its history requested) on first
   * sight; `undefined` when the panel does not take it or is full.
   */
  #seriesFor(key: string): FeedSeries | undefined {
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    if (this.#lifetime.signal.aborted || !(this.#options.accept?.(key) ?? true)) return undefined;
    if (this.#series.length >= MAX_PANEL_SERIES) {
      this.#capped = true;
      return undefined;
    }
    const capacity = this.#series.length < FULL_BUFFERS ? DEFAULT_CAPACITY : DEFAULT_CAPACITY / 4;
    const series = new FeedSeries(key, this.#windowMs, capacity);
    this.#byKey.set(key, series);
    this.#series = [...this.#series, series].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // points that arrive before the history wait for it
    this.#tokens.set(key, series.beginBackfill());
    void this.#backfill(series);
    this.#options.onChange('series');
    return series;
  }

  async #backfill(series: FeedSeries): Promise<void> {
    const token = this.#tokens.get(series.key);
    if (token === undefined) return;
    const signal = this.#history.signal;
    const now = (this.#options.now ?? Date.now)();
    const query = {
      from: now - this.#windowMs - windowMargin(this.#windowMs),
      maxPoints: Math.max(2, Math.round(this.#options.width())),
    };
    try {
      const { t, v } = await this.#source.api.points(series.key, query, signal);
      if (signal.aborted) return;
      series.applyBackfill(token, t, v);
    } catch {
      if (signal.aborted) return;
      // no history (the server is away, or refused): the live points are still drawn
      series.failBackfill(token);
    }
    this.#options.onChange('history');
  }
}
