import { patternMatches } from '@pulseboard/protocol';
import type { Feed } from '../retention/feed.js';
import type { FeedListener, Retention } from '../retention/retention.js';
import { SelectorIndex, type SelectorEntry } from './selector-index.js';
import { compileSelector, type CompiledSelector } from './selector-matcher.js';

/**
 * A set of selectors (names and patterns, with label matchers or without),
 * shared by every connection that asked for the same set, with the series it
 * currently resolves to. Connections
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
    /** Canonical form: sorted, unique canonical selectors joined by `,`. */
    readonly key: string,
    readonly selectors: readonly CompiledSelector[],
  ) {}

  has(feed: Feed): boolean {
    return this.members.has(feed);
  }

  /** The series keys this subscription names outright: plain names, without wildcards or matchers. */
  exactNames(): string[] {
    return this.selectors.filter((s) => !s.pattern.wildcard && s.matchers.length === 0).map((s) => s.source);
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
 * Interns subscriptions and keeps their resolved series current: a series
 * that appears later and matches a selector joins every subscription holding
 * that selector, found through a selector index (by name segments, then by
 * label values), so the cost does not grow with the number of subscriptions.
 */
export class SubscriptionRegistry implements FeedListener {
  private readonly byKey = new Map<string, Subscription>();
  private readonly index = new SelectorIndex<Subscription>();
  private readonly entries = new Map<Subscription, SelectorEntry<Subscription>[]>();
  private nextId = 1;
  private readonly stopListening: () => void;

  constructor(private readonly retention: Retention) {
    this.stopListening = retention.listen(this);
  }

  get size(): number {
    return this.byKey.size;
  }

  /**
   * The subscription for these selectors (already validated), created on
   * first use. Every `acquire` must be paired with a `release`.
   */
  acquire(selectors: readonly string[]): Subscription {
    const compiled = new Map<string, CompiledSelector>();
    for (const text of selectors) {
      const selector = compileSelector(text);
      compiled.set(selector.source, selector);
    }
    const sources = [...compiled.keys()].sort();
    const key = sources.join(',');
    let subscription = this.byKey.get(key);
    if (subscription === undefined) {
      subscription = new Subscription(
        this.nextId++,
        key,
        sources.map((source) => compiled.get(source)!),
      );
      this.resolve(subscription);
      const held = subscription;
      this.entries.set(
        subscription,
        subscription.selectors.map((selector) => this.index.add(selector, held)),
      );
      this.byKey.set(key, subscription);
    }
    subscription.holders++;
    return subscription;
  }

  release(subscription: Subscription): void {
    if (--subscription.holders > 0) return;
    this.byKey.delete(subscription.key);
    for (const entry of this.entries.get(subscription) ?? []) this.index.remove(entry);
    this.entries.delete(subscription);
  }

  feedAdded(feed: Feed): void {
    this.index.match(feed.segments, feed.labels, (subscription) => subscription.add(feed));
  }

  feedRemoved(feed: Feed): void {
    this.index.match(feed.segments, feed.labels, (subscription) => subscription.remove(feed));
  }

  close(): void {
    this.stopListening();
  }

  /**
   * Finds the retained series a new subscription resolves to: a name's series
   * are looked up; with wildcards, one pass over the series tests each against
   * all the wildcard selectors at once, so that a stream of a thousand
   * patterns among a hundred thousand series costs one pass, not a hundred
   * million tests, and nothing is sorted.
   */
  private resolve(subscription: Subscription): void {
    const wildcards: CompiledSelector[] = [];
    for (const selector of subscription.selectors) {
      if (selector.pattern.wildcard) wildcards.push(selector);
      else {
        for (const feed of this.retention.named(selector.pattern.source)) {
          if (selector.matchesLabels(feed.labels)) subscription.add(feed);
        }
      }
    }
    if (wildcards.length === 0) return;
    const matches = matcherOf(wildcards);
    for (const feed of this.retention.all()) if (matches(feed)) subscription.add(feed);
  }
}

/**
 * Up to this many selectors are tested one after the other (a failed test is
 * a string comparison or two); past it, an index of the selectors answers
 * for all of them in a walk of the name's segments.
 */
const SELECTORS_TESTED_IN_TURN = 4;

/** Whether a series matches any of `selectors`. */
function matcherOf(selectors: readonly CompiledSelector[]): (feed: Feed) => boolean {
  if (selectors.length <= SELECTORS_TESTED_IN_TURN) {
    return (feed) => {
      for (const selector of selectors) {
        if (patternMatches(selector.pattern, feed.segments) && selector.matchesLabels(feed.labels)) return true;
      }
      return false;
    };
  }
  const index = new SelectorIndex<true>();
  for (const selector of selectors) index.add(selector, true);
  return (feed) => {
    let found = false;
    index.match(feed.segments, feed.labels, () => (found = true));
    return found;
  };
}
