import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { PulseboardApi, SeriesInfo } from '../data/api';
import { matchesSearch, parseSearch, serverMatch, type FeedSearch } from './feed-search';
import { groupByName, type NameGroup } from './series-groups';
import { keysOf, pruneMap, SparklineSchedule } from './sparkline-schedule';

/** A series' recent points, for its sparkline; times in ms. */
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
/** Series rows a name shows until it is opened up. */
export const GROUP_PREVIEW = 10;
/** Sparkline requests in flight at once, leaving the browser's other connections to the stream. */
const SPARKLINE_CONCURRENCY = 4;
/** Typing restarts the refresh after this pause, so each keystroke does not cost a request. */
const SEARCH_DEBOUNCE_MS = 250;
/** Rows scrolled into view wait this long, so one scroll costs one round of requests. */
const VISIBLE_SETTLE_MS = 100;

/** A name as the explorer draws it: its summary, and the series rows shown under it. */
export interface ShownGroup {
  group: NameGroup;
  rows: readonly SeriesInfo[];
  /** Series of the name not drawn (past its preview, or past `SHOWN_LIMIT`). */
  hidden: number;
}

/**
 * The feed explorer's state: the series list for the current search,
 * refreshed every 2 s and grouped by name (with each name's label keys,
 * their value counts and its series count), and sparklines of the last
 * minute for the series rows on screen.
 */
export class FeedExplorer {
  #query = $state('');
  #search = $derived(parseSearch(this.#query));
  /** The last answer; filtered again here, so a new search shows at once while its request runs. */
  #feeds = $state.raw<SeriesInfo[]>([]);
  #loaded = $state(false);
  #answeredAt = $state(0);
  #error = $state<string>();
  #serverEmpty = $state(false);
  #capped = $state(false);
  #matches = $derived(this.#feeds.filter((feed) => matchesSearch(this.#search, feed.series)));
  readonly #opened = new SvelteSet<string>();
  #names = $derived(groupByName(this.#matches));
  #groups = $derived(this.#layout(this.#names));
  #shown = $derived(this.#groups.flatMap((group) => group.rows));
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

  /** The names to draw, with their series rows. */
  get groups(): readonly ShownGroup[] {
    return this.#groups;
  }

  /** The series rows drawn, in order. */
  get feeds(): readonly SeriesInfo[] {
    return this.#shown;
  }

  /** How many series match, including those not drawn. */
  get matchCount(): number {
    return this.#matches.length;
  }

  /** How many feed names the matching series have. */
  get nameCount(): number {
    return this.#names.length;
  }

  /** Whether a name shows all its series rather than the first {@link GROUP_PREVIEW}. */
  opened(name: string): boolean {
    return this.#opened.has(name);
  }

  /** Shows all series of a name, or its preview again. */
  toggle(name: string): void {
    if (!this.#opened.delete(name)) this.#opened.add(name);
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

  /** The sparkline of the series under `key`. */
  sparkline(key: string): SparklineData | undefined {
    return this.#sparklines.get(key);
  }

  /** Changes the search; the list is filtered at once and fetched again after a short pause. */
  setQuery(query: string): void {
    this.#query = query;
    if (this.#cycle) this.#restart(SEARCH_DEBOUNCE_MS);
  }

  /** Series rows report whether they are on screen (by series key); only those get sparklines. */
  setVisible(key: string, visible: boolean): void {
    const appeared = this.#schedule.setVisible(key, visible);
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
      if (signal.aborted) return;

      this.#feeds = feeds;
      this.#loaded = true;
      this.#answeredAt = this.#now();
      this.#error = undefined;
      this.#capped = feeds.length >= SERVER_FEED_LIMIT;
      // A pattern's empty answer says nothing about the feeds outside it.
      if (search.kind !== 'pattern') this.#serverEmpty = feeds.length === 0;

      const listed = keysOf(feeds);
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
      this.#shown.map((feed) => feed.series),
      now,
    );
    const worker = async () => {
      for (let feed = queue.shift(); feed !== undefined && !signal.aborted; feed = queue.shift()) {
        await this.#loadSparkline(feed, now - SPARKLINE_WINDOW_MS, now, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SPARKLINE_CONCURRENCY, queue.length) }, worker));
  }

  async #loadSparkline(key: string, from: number, to: number, signal: AbortSignal): Promise<void> {
    try {
      // A series that left retention meanwhile answers no points: an empty sparkline.
      const { t, v } = await this.#api.points(key, { from, maxPoints: SPARKLINE_POINTS }, signal);
      if (!signal.aborted) this.#sparklines.set(key, { from, to, t, v });
    } catch {
      // A missed sparkline is asked for again on the next refresh; the row keeps its last one meanwhile.
      this.#schedule.retry(key);
    }
  }

  /**
   * Which series rows each name shows: its first {@link GROUP_PREVIEW}
   * (all once opened), and no more than {@link SHOWN_LIMIT} rows in all.
   */
  #layout(groups: readonly NameGroup[]): ShownGroup[] {
    const shown: ShownGroup[] = [];
    let budget = SHOWN_LIMIT;
    for (const group of groups) {
      if (budget <= 0) break;
      const wanted = this.#opened.has(group.name) ? group.series.length : GROUP_PREVIEW;
      const rows = group.series.slice(0, Math.min(wanted, budget));
      budget -= rows.length;
      shown.push({ group, rows, hidden: group.series.length - rows.length });
    }
    return shown;
  }
}
