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
  /**
   * Resolved feeds: sorted by name when the subscription is created, then in
   * the order later feeds joined (appending keeps a burst of new feeds linear).
   * Only changed between ticks: feeds appear and go as the log is applied.
   */
  readonly feeds: Feed[] = [];
  /** Connections holding this subscription. */
  holders = 0;
  private readonly members = new Set<Feed>();

  constructor(
    readonly id: number,
    /** Canonical form: sorted, unique patterns joined by `,`. */
    readonly key: string,
    readonly patterns: readonly FeedPattern[],
  ) {}

  has(feed: Feed): boolean {
    return this.members.has(feed);
  }

  /** The exact feed names in this subscription (patterns without wildcards). */
  exactNames(): string[] {
    return this.patterns.filter((p) => !p.wildcard).map((p) => p.source);
  }

  /** Sets the resolved feeds at creation. */
  reset(feeds: Feed[]): void {
    this.members.clear();
    this.feeds.length = 0;
    for (const feed of feeds) this.add(feed);
  }

  add(feed: Feed): void {
    if (this.members.has(feed)) return;
    this.members.add(feed);
    this.feeds.push(feed);
  }

  remove(feed: Feed): void {
    if (!this.members.delete(feed)) return;
    this.feeds.splice(this.feeds.indexOf(feed), 1);
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
    subscription.reset([...found].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }
}
