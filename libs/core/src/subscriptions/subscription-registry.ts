import { parsePattern, patternMatches, type FeedPattern } from '@pulseboard/protocol';
import type { Feed } from '../retention/feed.js';
import type { FeedListener, Retention } from '../retention/retention.js';
import { PatternTrie } from './pattern-trie.js';

/**
 * A set of feed names and patterns, shared by every connection that asked
 * for the same set, with the feeds it currently resolves to. Connections
 * with the same subscription and cursor receive the very same frame.
 */
export class Subscription {
  /** Resolved feeds, sorted by name. Replaced (never mutated) when it changes. */
  feeds: readonly Feed[] = [];
  /** Connections holding this subscription. */
  holders = 0;

  constructor(
    readonly id: number,
    /** Canonical form: sorted, unique patterns joined by `,`. */
    readonly key: string,
    readonly patterns: readonly FeedPattern[],
  ) {}

  has(feed: Feed): boolean {
    return this.indexOf(feed.name) >= 0;
  }

  /** The exact feed names in this subscription (patterns without wildcards). */
  exactNames(): string[] {
    return this.patterns.filter((p) => !p.wildcard).map((p) => p.source);
  }

  add(feed: Feed): void {
    if (this.has(feed)) return;
    const feeds = [...this.feeds];
    feeds.splice(this.insertionPoint(feed.name), 0, feed);
    this.feeds = feeds;
  }

  remove(feed: Feed): void {
    const i = this.indexOf(feed.name);
    if (i >= 0) this.feeds = [...this.feeds.slice(0, i), ...this.feeds.slice(i + 1)];
  }

  private indexOf(name: string): number {
    const i = this.insertionPoint(name);
    return i < this.feeds.length && this.feeds[i].name === name ? i : -1;
  }

  private insertionPoint(name: string): number {
    let lo = 0;
    let hi = this.feeds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.feeds[mid].name < name) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Interns subscriptions and keeps their resolved feeds current: a feed that
 * appears later and matches a pattern joins every subscription holding that
 * pattern (found through a pattern trie, so the cost does not grow with the
 * number of subscriptions).
 */
export class SubscriptionRegistry implements FeedListener {
  private readonly byKey = new Map<string, Subscription>();
  private readonly trie = new PatternTrie<Subscription>();
  private nextId = 1;
  private readonly stopListening: () => void;

  constructor(private readonly retention: Retention) {
    this.stopListening = retention.listen(this);
  }

  get size(): number {
    return this.byKey.size;
  }

  /**
   * The subscription for these names/patterns (already validated), created on
   * first use. Every `acquire` must be paired with a `release`.
   */
  acquire(patterns: readonly string[]): Subscription {
    const sources = [...new Set(patterns)].sort();
    const key = sources.join(',');
    let subscription = this.byKey.get(key);
    if (subscription === undefined) {
      subscription = new Subscription(this.nextId++, key, sources.map(parsePattern));
      this.resolve(subscription);
      for (const pattern of subscription.patterns) this.trie.add(pattern, subscription);
      this.byKey.set(key, subscription);
    }
    subscription.holders++;
    return subscription;
  }

  release(subscription: Subscription): void {
    if (--subscription.holders > 0) return;
    this.byKey.delete(subscription.key);
    for (const pattern of subscription.patterns) this.trie.remove(pattern, subscription);
  }

  feedAdded(feed: Feed): void {
    this.trie.match(feed.segments, (subscription) => subscription.add(feed));
  }

  feedRemoved(feed: Feed): void {
    this.trie.match(feed.segments, (subscription) => subscription.remove(feed));
  }

  close(): void {
    this.stopListening();
  }

  private resolve(subscription: Subscription): void {
    const found = new Set<Feed>();
    const wildcards = subscription.patterns.filter((p) => p.wildcard);
    for (const pattern of subscription.patterns) {
      if (pattern.wildcard) continue;
      const feed = this.retention.get(pattern.source);
      if (feed !== undefined) found.add(feed);
    }
    if (wildcards.length > 0) {
      for (const feed of this.retention.all()) {
        if (wildcards.some((p) => patternMatches(p, feed.segments))) found.add(feed);
      }
    }
    subscription.feeds = [...found].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
