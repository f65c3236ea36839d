import {
  parsePattern,
  patternMatches,
  type FeedChunk,
  type FeedInfo,
  type GapEvent,
  type HelloEvent,
  type PointsEvent,
  type StreamErrorEvent,
} from '@pulseboard/protocol';
import { untrack } from 'svelte';
import { appendWindow, type Columns } from './series';

export type ConnectionState = 'idle' | 'connecting' | 'live' | 'reconnecting';

export interface GapNotice extends GapEvent {
  id: number;
}

/** How much history a chart keeps, and how much the stream backfills on open. */
export const WINDOW_MS = 300_000;

const FEEDS_REFRESH_MS = 5_000;
/** Pause before opening a fresh stream once the browser has given up on the current one. */
const REOPEN_DELAY_MS = 5_000;
const MAX_GAP_NOTICES = 5;
const DEFAULT_PATTERN = parsePattern('demo.>');
const FALLBACK_SELECTION = 3;

/** One selected feed's chart data. */
export class FeedSeries {
  readonly name: string;
  #columns = $state.raw<Columns>([[], []]);
  #last = $derived(this.#columns[1].at(-1));

  constructor(name: string) {
    this.name = name;
  }

  get columns() {
    return this.#columns;
  }

  get last() {
    return this.#last;
  }

  append(chunk: FeedChunk) {
    this.#columns = appendWindow(this.#columns, chunk, WINDOW_MS / 1000);
  }

  clear() {
    this.#columns = [[], []];
  }
}

export class LiveStream {
  #feeds = $state.raw<FeedInfo[]>([]);
  #feedsLoaded = $state(false);
  #feedsError = $state<string>();
  #selected = $state.raw<string[]>([]);
  #series = $state.raw<FeedSeries[]>([]);
  #connection = $state<ConnectionState>('idle');
  #gaps = $state.raw<GapNotice[]>([]);
  #streamError = $state<StreamErrorEvent>();
  #batchMs = $state<number>();

  /** Reopening depends on this string, so a toggle that leaves the same set changes nothing. */
  #selectionKey = $derived(this.#selected.join(','));
  /** Once the user has picked, the feed list no longer re-applies the default selection. */
  #userSelected = false;
  #nextGapId = 0;

  get feeds() {
    return this.#feeds;
  }

  /** Whether the feed list has been answered at least once, so "empty" means empty. */
  get feedsLoaded() {
    return this.#feedsLoaded;
  }

  get feedsError() {
    return this.#feedsError;
  }

  get selected() {
    return this.#selected;
  }

  get series() {
    return this.#series;
  }

  get connection() {
    return this.#connection;
  }

  get gaps() {
    return this.#gaps;
  }

  get streamError() {
    return this.#streamError;
  }

  get batchMs() {
    return this.#batchMs;
  }

  toggle(name: string) {
    this.#userSelected = true;
    this.#selected = this.#selected.includes(name)
      ? this.#selected.filter((selected) => selected !== name)
      : [...this.#selected, name].sort();
  }

  dismissGap(id: number) {
    this.#gaps = this.#gaps.filter((gap) => gap.id !== id);
  }

  /** Polls the feed list and keeps one stream open for the selection; returns the teardown. */
  listen() {
    const stopPolling = this.#pollFeeds();
    const stopStream = $effect.root(() => {
      $effect(() => {
        const key = this.#selectionKey;
        return untrack(() => this.#open(key === '' ? [] : key.split(',')));
      });
    });

    return () => {
      stopStream();
      stopPolling();
    };
  }

  #pollFeeds() {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;

    // Chained rather than an interval so a slow answer never overlaps the next request.
    const tick = async () => {
      await this.#loadFeeds(controller.signal);
      if (!controller.signal.aborted) timer = setTimeout(() => void tick(), FEEDS_REFRESH_MS);
    };
    void tick();

    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }

  async #loadFeeds(signal: AbortSignal) {
    try {
      const response = await fetch('/api/v1/feeds', { signal });
      if (!response.ok) throw new Error(`feed list answered ${response.status}`);
      const feeds = (await response.json()) as FeedInfo[];
      if (!Array.isArray(feeds)) throw new Error('feed list is not an array');

      this.#feeds = feeds.toSorted((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.#feedsLoaded = true;
      this.#feedsError = undefined;
      // Until the user picks, new feeds matching the default join the selection (the stream only
      // reopens when the selection key actually changes).
      if (!this.#userSelected) this.#selected = defaultSelection(this.#feeds);
    } catch (error) {
      if (signal.aborted) return;
      this.#feedsError = error instanceof Error ? error.message : String(error);
    }
  }

  #open(names: string[]) {
    const series = names.map((name) => new FeedSeries(name));
    const byName = indexByName(series);
    this.#series = series;
    this.#gaps = [];
    this.#streamError = undefined;
    this.#batchMs = undefined;

    if (names.length === 0) {
      this.#connection = 'idle';
      return () => {};
    }

    const url = streamUrl(names);
    let source: EventSource | undefined;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;

    const reopenLater = () => {
      source?.close();
      this.#connection = 'reconnecting';
      reopenTimer = setTimeout(connect, REOPEN_DELAY_MS);
    };

    const connect = () => {
      // A fresh stream (no Last-Event-ID) replays the whole history window, so start empty.
      for (const entry of series) entry.clear();
      this.#connection = source ? 'reconnecting' : 'connecting';

      const stream = new EventSource(url);
      source = stream;

      stream.addEventListener('open', () => {
        this.#connection = 'live';
      });
      stream.addEventListener('error', (event) => {
        // A server-sent `event: error` arrives on the same listener as connection failures.
        if (event instanceof MessageEvent) {
          this.#streamError = parse<StreamErrorEvent>(event.data as string);
          // Resending the same cursor would fail the same way: start over instead.
          reopenLater();
        } else if (stream.readyState === EventSource.CLOSED) {
          // The browser only gives up for good on a bad HTTP answer.
          reopenLater();
        } else {
          this.#connection = 'reconnecting';
        }
      });
      stream.addEventListener('hello', (event: MessageEvent<string>) => {
        this.#batchMs = parse<HelloEvent>(event.data)?.batchMs;
        this.#streamError = undefined;
      });
      stream.addEventListener('points', (event: MessageEvent<string>) => {
        const feeds = parse<PointsEvent>(event.data)?.feeds ?? {};
        for (const [name, chunk] of Object.entries(feeds)) byName.get(name)?.append(chunk);
      });
      stream.addEventListener('gap', (event: MessageEvent<string>) => {
        const gap = parse<GapEvent>(event.data);
        if (gap) this.#gaps = [...this.#gaps, { ...gap, id: this.#nextGapId++ }].slice(-MAX_GAP_NOTICES);
      });
    };

    connect();

    return () => {
      clearTimeout(reopenTimer);
      source?.close();
    };
  }
}

function defaultSelection(feeds: FeedInfo[]): string[] {
  const demo = feeds.filter((feed) => patternMatches(DEFAULT_PATTERN, feed.name.split('.')));
  return (demo.length > 0 ? demo : feeds.slice(0, FALLBACK_SELECTION)).map((feed) => feed.name);
}

function streamUrl(names: string[]): string {
  return `/api/v1/stream?${new URLSearchParams({ feeds: names.join(','), history: String(WINDOW_MS) })}`;
}

function indexByName(series: FeedSeries[]): ReadonlyMap<string, FeedSeries> {
  return new Map(series.map((entry) => [entry.name, entry]));
}

function parse<T>(data: string): T | undefined {
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}
