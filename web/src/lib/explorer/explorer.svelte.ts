import type { FeedInfo } from '@pulseboard/protocol';
import { SvelteMap } from 'svelte/reactivity';
import type { PulseboardApi } from '../data/api';
import { matchesSearch, parseSearch, serverMatch, type FeedSearch } from './feed-search';
import { namesOf, pruneMap, SparklineSchedule } from './sparkline-schedule';

/** A feed's recent points, for its sparkline; times in ms. */
export interface SparklineData {
  from: number;
  to: number;
  t: readonly number[];
  v: readonly number[];
}

export interface ExplorerOptions {
  api: PulseboardApi;
  now?: () => number;
  /** How often the feed list and the visible sparklines are fetched again. */
  refreshMs?: number;
}

export const REFRESH_MS = 2_000;
export const SPARKLINE_WINDOW_MS = 60_000;
export const SPARKLINE_POINTS = 60;
/** The most feeds the server lists in one answer (its default `limit`). */
export const SERVER_FEED_LIMIT = 10_000;
/** Rows drawn at once; a longer list asks for a narrower search. */
export const SHOWN_LIMIT = 200;
/** Sparkline requests in flight at once, leaving the browser's other connections to the stream. */
const SPARKLINE_CONCURRENCY = 4;
/** Typing restarts the refresh after this pause, so each keystroke does not cost a request. */
const SEARCH_DEBOUNCE_MS = 250;
/** Rows scrolled into view wait this long, so one scroll costs one round of requests. */
const VISIBLE_SETTLE_MS = 100;

/**
 * The feed explorer's state: the feed list for the current search, refreshed
 * every 2 s, and sparklines of the last minute for the rows on screen.
 */
export class FeedExplorer {
  #query = $state('');
  #search = $derived(parseSearch(this.#query));
  /** The last answer; filtered again here, so a new search shows at once while its request runs. */
  #feeds = $state.raw<FeedInfo[]>([]);
  #loaded = $state(false);
  #answeredAt = $state(0);
  #error = $state<string>();
  #serverEmpty = $state(false);
  #capped = $state(false);
  #matches = $derived(this.#feeds.filter((feed) => matchesSearch(this.#search, feed.name)));
  #shown = $derived(this.#matches.slice(0, SHOWN_LIMIT));
  readonly #sparklines = new SvelteMap<string, SparklineData>();

  readonly #api: PulseboardApi;
  readonly #now: () => number;
  readonly #refreshMs: number;
  readonly #schedule: SparklineSchedule;
  #cycle: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ExplorerOptions) {
    this.#api = options.api;
    this.#now = options.now ?? Date.now;
    this.#refreshMs = options.refreshMs ?? REFRESH_MS;
    this.#schedule = new SparklineSchedule(this.#refreshMs);
  }

  get query(): string {
    return this.#query;
  }

  get search(): FeedSearch {
    return this.#search;
  }

  /** Why the search is not a valid pattern, for the inline error. */
  get problem(): string | undefined {
    return this.#search.kind === 'invalid' ? this.#search.problem : undefined;
  }

  /** The rows to draw. */
  get feeds(): readonly FeedInfo[] {
    return this.#shown;
  }

  /** How many feeds match, including those beyond `SHOWN_LIMIT`. */
  get matchCount(): number {
    return this.#matches.length;
  }

  /** Whether the feed list has been answered at least once, so "empty" means empty. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** When the list was last answered (ms), for the age of each feed's last point. */
  get answeredAt(): number {
    return this.#answeredAt;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** The server has no feeds at all (not just none that match). */
  get serverEmpty(): boolean {
    return this.#serverEmpty;
  }

  /** The server listed as many feeds as it lists at once, so a substring search may miss some. */
  get capped(): boolean {
    return this.#capped;
  }

  sparkline(feed: string): SparklineData | undefined {
    return this.#sparklines.get(feed);
  }

  /** Changes the search; the list is filtered at once and fetched again after a short pause. */
  setQuery(query: string): void {
    this.#query = query;
    if (this.#cycle) this.#restart(SEARCH_DEBOUNCE_MS);
  }

  /** Rows report whether they are on screen; only those get sparklines. */
  setVisible(feed: string, visible: boolean): void {
    const appeared = this.#schedule.setVisible(feed, visible);
    if (!appeared || !this.#cycle || this.#settleTimer) return;
    const signal = this.#cycle.signal;
    this.#settleTimer = setTimeout(() => {
      this.#settleTimer = undefined;
      void this.#loadSparklines(signal);
    }, VISIBLE_SETTLE_MS);
  }

  /** Fetches now and then every `refreshMs`; returns the cleanup. */
  listen(): () => void {
    this.#restart(0);
    return () => {
      this.#cycle?.abort();
      this.#cycle = undefined;
      clearTimeout(this.#timer);
      clearTimeout(this.#settleTimer);
      this.#settleTimer = undefined;
    };
  }

  /** Drops the refresh in flight and starts a new one after `delayMs`. */
  #restart(delayMs: number): void {
    this.#cycle?.abort();
    clearTimeout(this.#timer);
    clearTimeout(this.#settleTimer);
    this.#settleTimer = undefined;
    const cycle = new AbortController();
    this.#cycle = cycle;

    // Chained rather than an interval, so a slow answer never overlaps the next request.
    const tick = async () => {
      await this.#loadFeeds(cycle.signal);
      await this.#loadSparklines(cycle.signal);
      if (!cycle.signal.aborted) this.#timer = setTimeout(() => void tick(), this.#refreshMs);
    };
    this.#timer = setTimeout(() => void tick(), delayMs);
  }

  async #loadFeeds(signal: AbortSignal): Promise<void> {
    const search = this.#search;
    if (search.kind === 'invalid') return;
    try {
      const feeds = await this.#api.feeds(serverMatch(search), signal);
      if (!Array.isArray(feeds)) throw new Error('the feed list is not a list');
      if (signal.aborted) return;

      this.#feeds = feeds;
      this.#loaded = true;
      this.#answeredAt = this.#now();
      this.#error = undefined;
      this.#capped = feeds.length >= SERVER_FEED_LIMIT;
      // A pattern's empty answer says nothing about the feeds outside it.
      if (search.kind !== 'pattern') this.#serverEmpty = feeds.length === 0;

      const listed = namesOf(feeds);
      pruneMap(this.#sparklines, listed);
      this.#schedule.keepOnly(listed);
    } catch (error) {
      if (signal.aborted) return;
      this.#error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Sparklines of the visible rows that were not asked for within `refreshMs`, a few requests at a time. */
  async #loadSparklines(signal: AbortSignal): Promise<void> {
    const now = this.#now();
    const queue = this.#schedule.take(
      this.#shown.map((feed) => feed.name),
      now,
    );
    const worker = async () => {
      for (let feed = queue.shift(); feed !== undefined && !signal.aborted; feed = queue.shift()) {
        await this.#loadSparkline(feed, now - SPARKLINE_WINDOW_MS, now, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SPARKLINE_CONCURRENCY, queue.length) }, worker));
  }

  async #loadSparkline(feed: string, from: number, to: number, signal: AbortSignal): Promise<void> {
    try {
      // A feed that left retention meanwhile answers no points: an empty sparkline.
      const { t, v } = await this.#api.points(feed, { from, maxPoints: SPARKLINE_POINTS }, signal);
      if (!signal.aborted) this.#sparklines.set(feed, { from, to, t, v });
    } catch {
      // A missed sparkline is asked for again on the next refresh; the row keeps its last one meanwhile.
      this.#schedule.retry(feed);
    }
  }
}
