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
   * Resolved feeds: when the subscription is created, its plain names in name
   * order, then the feeds its patterns match in the order retention first
   * held them; then in the order later feeds joined (appending keeps a burst
   * of new feeds linear). Only changed between ticks: feeds appear and go as
   * the log is applied.
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

  /**
   * Finds the retained feeds a new subscription resolves to: names are looked
   * up; with wildcards, one pass over the feeds tests each name against all
   * the wildcard patterns at once, so that a stream of a thousand patterns
   * among a hundred thousand feeds costs one pass, not a hundred million
   * tests, and nothing is sorted.
   */
  private resolve(subscription: Subscription): void {
    const wildcards: FeedPattern[] = [];
    for (const pattern of subscription.patterns) {
      if (pattern.wildcard) wildcards.push(pattern);
      else {
        const feed = this.retention.get(pattern.source);
        if (feed !== undefined) subscription.add(feed);
      }
    }
    if (wildcards.length === 0) return;
    const matches = matcherOf(wildcards);
    for (const feed of this.retention.all()) if (matches(feed.segments)) subscription.add(feed);
  }
}

/**
 * Up to this many patterns are tested one after the other (a failed test is
 * a string comparison or two); past it, a trie of the patterns answers for
 * all of them in a walk of the name's segments.
 */
const PATTERNS_TESTED_IN_TURN = 4;

/** Whether a feed name (as its segments) matches any of `patterns`. */
function matcherOf(patterns: readonly FeedPattern[]): (segments: readonly string[]) => boolean {
  if (patterns.length <= PATTERNS_TESTED_IN_TURN) {
    return (segments) => {
      for (const pattern of patterns) if (patternMatches(pattern, segments)) return true;
      return false;
    };
  }
  const trie = new PatternTrie<true>();
  for (const pattern of patterns) trie.add(pattern, true);
  return (segments) => trie.matches(segments);
}
