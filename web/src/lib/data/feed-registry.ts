import type { FeedChunks, GapEvent } from '@pulseboard/protocol';
import type { FeedSink } from './live-client.svelte';
import { keyMatches } from './series-match';

interface FeedEntry {
  sinks: Set<FeedSink>;
  /** The server confirmed the selector is on the stream. */
  live: boolean;
}

/** A confirmation to be: the selector, and the entry it was asked for (it may be replaced meanwhile). */
export type PendingFeed = readonly [feed: string, entry: object | undefined];

/** Series keys whose sinks are remembered; past it the routes are worked out again (a page sees far fewer). */
const ROUTE_LIMIT = 10_000;

/**
 * Which sinks want which selectors, with a reference count per selector: a
 * selector is added to the stream with its first sink and removed with its
 * last. Frames name series by key, so each key is routed to the sinks of
 * every selector that matches it, worked out once per key and kept until
 * the selectors change. Plain bookkeeping, no I/O: the live client acts on
 * what it answers.
 */
export class FeedRegistry {
  readonly #feeds = new Map<string, FeedEntry>();
  /** Series key → the sinks its points go to. */
  readonly #routes = new Map<string, readonly FeedSink[]>();

  /** Adds `sink` to `feeds`; answers the selectors that had no sink before, and those already live. */
  add(feeds: readonly string[], sink: FeedSink): { added: string[]; live: string[] } {
    const added: string[] = [];
    const live: string[] = [];
    for (const feed of new Set(feeds)) {
      let entry = this.#feeds.get(feed);
      if (entry === undefined) {
        entry = { sinks: new Set(), live: false };
        this.#feeds.set(feed, entry);
        added.push(feed);
      }
      entry.sinks.add(sink);
      if (entry.live) live.push(feed);
    }
    this.#routes.clear();
    return { added, live };
  }

  /** Removes `sink` from `feeds`; answers the selectors no sink wants any more. */
  remove(feeds: readonly string[], sink: FeedSink): string[] {
    const gone: string[] = [];
    for (const feed of new Set(feeds)) {
      const entry = this.#feeds.get(feed);
      if (entry === undefined || !entry.sinks.delete(sink) || entry.sinks.size > 0) continue;
      this.#feeds.delete(feed);
      gone.push(feed);
    }
    this.#routes.clear();
    return gone;
  }

  /** Whether `sink` still wants `feed`. */
  has(feed: string, sink: FeedSink): boolean {
    return this.#feeds.get(feed)?.sinks.has(sink) ?? false;
  }

  /** Remembers which entries a confirmation is for, so a selector dropped and added again meanwhile is not confused. */
  pending(feeds: readonly string[]): PendingFeed[] {
    return feeds.map((feed) => [feed, this.#feeds.get(feed)]);
  }

  /** Selectors wanted but not confirmed live yet. */
  waiting(): string[] {
    return [...this.#feeds].filter(([, entry]) => !entry.live).map(([feed]) => feed);
  }

  /** The server confirmed these: tells their sinks. */
  markLive(pending: readonly PendingFeed[]): void {
    for (const [feed, asked] of pending) {
      const entry = this.#feeds.get(feed);
      if (entry === undefined || entry !== asked || entry.live) continue;
      entry.live = true;
      for (const sink of entry.sinks) sink.live?.(feed);
    }
  }

  /** Hands each series' points to the sinks of the selectors that match it, once per sink. */
  dispatch(feeds: FeedChunks): void {
    for (const key in feeds) {
      const sinks = this.#sinksOf(key);
      if (sinks.length === 0) continue;
      const { t, v } = feeds[key];
      for (const sink of sinks) sink.points(key, t, v);
    }
  }

  /** Tells each sink of the gap's series, once per sink. */
  dispatchGap(gap: GapEvent): void {
    const sinks = new Set<FeedSink>();
    for (const key of gap.feeds) for (const sink of this.#sinksOf(key)) sinks.add(sink);
    for (const sink of sinks) sink.gap?.(gap);
  }

  /** Each wanted selector with its number of sinks. */
  counts(): Map<string, number> {
    return new Map([...this.#feeds].map(([feed, entry]) => [feed, entry.sinks.size]));
  }

  #sinksOf(key: string): readonly FeedSink[] {
    let sinks = this.#routes.get(key);
    if (sinks === undefined) {
      const matched = new Set<FeedSink>();
      for (const [selector, entry] of this.#feeds) {
        if (keyMatches(selector, key)) for (const sink of entry.sinks) matched.add(sink);
      }
      sinks = [...matched];
      if (this.#routes.size >= ROUTE_LIMIT) this.#routes.clear();
      this.#routes.set(key, sinks);
    }
    return sinks;
  }
}

/**
 * Values shared by reference count: the first `acquire` of a key creates it,
 * the last `release` stops it.
 */
export class SharedByKey<V> {
  readonly #entries = new Map<string, { value: V; users: number; stop: () => void }>();

  acquire(key: string, create: () => { value: V; stop: () => void }): { value: V; release: () => void } {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { ...create(), users: 0 };
      this.#entries.set(key, entry);
    }
    entry.users++;
    const held = entry;
    let released = false;
    return {
      value: held.value,
      release: () => {
        if (released) return;
        released = true;
        if (--held.users > 0) return;
        held.stop();
        if (this.#entries.get(key) === held) this.#entries.delete(key);
      },
    };
  }
}

/** `items` without repeated ids, the first of each kept. */
export function uniqueById<T extends { id: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.id) && seen.add(item.id));
}
