import type { FeedChunk } from '@pulseboard/protocol';
import type { PointsQuery } from './api';
import { FeedSeries, windowMargin } from './feed-series';
import type { FeedSink } from './live-client.svelte';

/** Why a panel's data changed: a paused panel ignores live points and gaps but draws a new history. */
export type PanelChange = 'live' | 'gap' | 'history';

/** What a panel's data needs of the live client. */
export interface PanelDataSource {
  subscribe(feeds: readonly string[], sink: FeedSink): () => void;
  readonly api: { points(feed: string, query: PointsQuery, signal?: AbortSignal): Promise<FeedChunk> };
}

export interface PanelDataOptions {
  feeds: readonly string[];
  windowMs: number;
  /** The chart's width in pixels: history is requested at that resolution. */
  width: () => number;
  /** New points (`live`), a history (`history`) or a gap arrived, or the window changed (`history`). */
  onChange: (reason: PanelChange) => void;
  now?: () => number;
}

/**
 * The data of one panel: a {@link FeedSeries} per feed, fed by the live
 * client and backfilled from the points endpoint. Each feed's history is
 * requested only once the client says the feed is live, so the history and
 * the live points overlap rather than leave a hole between them.
 */
export class PanelData {
  readonly series: readonly FeedSeries[];
  readonly #source: PanelDataSource;
  readonly #options: PanelDataOptions;
  readonly #byFeed: ReadonlyMap<string, FeedSeries>;
  readonly #tokens = new Map<string, number>();
  readonly #live = new Set<string>();
  #windowMs: number;
  #controller = new AbortController();

  constructor(source: PanelDataSource, options: PanelDataOptions) {
    this.#source = source;
    this.#options = options;
    this.#windowMs = options.windowMs;
    this.series = [...new Set(options.feeds)].map((feed) => new FeedSeries(feed, options.windowMs));
    this.#byFeed = new Map(this.series.map((series) => [series.feed, series]));
    // live points that come before the history wait for it
    for (const series of this.series) this.#tokens.set(series.feed, series.beginBackfill());
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** Subscribes the feeds; returns the cleanup that unsubscribes and drops pending history requests. */
  listen(): () => void {
    const sink: FeedSink = {
      points: (feed, t, v) => {
        const series = this.#byFeed.get(feed);
        if (series === undefined) return;
        series.live(t, v);
        this.#options.onChange('live');
      },
      gap: (gap) => {
        let changed = false;
        for (const feed of gap.feeds) {
          const series = this.#byFeed.get(feed);
          if (series === undefined) continue;
          series.gap(gap.reason);
          changed = true;
        }
        if (changed) this.#options.onChange('gap');
      },
      live: (feed) => {
        if (!this.#byFeed.has(feed)) return;
        this.#live.add(feed);
        void this.#backfill(feed);
      },
    };
    const unsubscribe = this.#source.subscribe(
      this.series.map((series) => series.feed),
      sink,
    );
    return () => {
      this.#controller.abort();
      unsubscribe();
    };
  }

  /** Shows another window: prunes to it and loads its history again (live points wait meanwhile). */
  setWindow(windowMs: number): void {
    if (windowMs === this.#windowMs) return;
    this.#windowMs = windowMs;
    this.#controller.abort();
    this.#controller = new AbortController();
    for (const series of this.series) {
      series.setWindow(windowMs);
      this.#tokens.set(series.feed, series.beginBackfill());
      if (this.#live.has(series.feed)) void this.#backfill(series.feed);
    }
    this.#options.onChange('history');
  }

  async #backfill(feed: string): Promise<void> {
    const series = this.#byFeed.get(feed);
    const token = this.#tokens.get(feed);
    if (series === undefined || token === undefined) return;
    const signal = this.#controller.signal;
    const now = (this.#options.now ?? Date.now)();
    const query = {
      from: now - this.#windowMs - windowMargin(this.#windowMs),
      maxPoints: Math.max(2, Math.round(this.#options.width())),
    };
    try {
      const { t, v } = await this.#source.api.points(feed, query, signal);
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
