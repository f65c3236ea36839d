import { systemClock, type Clock } from '../clock.js';
import type { LoggedBatch } from '../log/point-batch.js';
import { BatchFeeds } from './batch-feeds.js';
import { BatchIndex } from './batch-index.js';
import { BYTES_PER_POINT, Feed, feedBytes } from './feed.js';
import { PartitionPositions, type ResumePoint } from './partition-positions.js';

/** The floors of a cursor of an unsplit log: none. */
const NO_FLOORS = new Float64Array(0);

/** What each entry of `BatchFeeds` weighs: its slot in an array. */
const BATCH_FEED_BYTES = 8;

/**
 * Feeds one turn of the event loop may create, or visit to evict, while
 * applying or evicting batches; the rest waits for the next turn. A new feed
 * takes a few microseconds (its objects, its map entry, listeners, and the
 * garbage collector moving them out of the young generation), so a batch of
 * 100,000 new names applied at once held every other client up for most of
 * a second, and evicting it later nearly as long; 2,000 take a few
 * milliseconds.
 */
const FEEDS_PER_TURN = 2000;

export interface RetentionOptions {
  /** Points are evicted this long after their arrival. */
  retentionMs: number;
  /** At most this many points per feed; the oldest go first. */
  maxPointsPerFeed: number;
  /** Budget for all retained points, in bytes (24 per point, plus what each feed weighs); the oldest batches go first. */
  maxBytes: number;
  /** Partitions of the log (1 unless it is split); cursors then carry one position per partition. */
  partitions?: number;
  /** At most this many series (default: no bound); points of a series past it are dropped, never older series. */
  maxSeries?: number;
  /** At most this many series per name (default: no bound), likewise. */
  maxSeriesPerName?: number;
  clock?: Clock;
  /** Runs the rest of a batch that creates many feeds on a later turn of the event loop; `setImmediate` unless a test steps it. */
  defer?: (work: () => void) => void;
}

export interface RetentionStats {
  feeds: number;
  /** Points of new series dropped because a series limit was reached (see {@link Retention.seriesLimitProblem}). */
  refusedPoints: number;
  points: number;
  /** Bytes counted against the budget: points, batches and feeds (see {@link feedBytes}). */
  bytes: number;
  head: number;
}

/** Which series limit a batch would pass, and by how much. */
export interface SeriesLimitProblem {
  limit: 'series' | 'series_per_name';
  /** The name whose series would pass `maxSeriesPerName`. */
  name?: string;
  max: number;
  existing: number;
  adding: number;
}

export interface FeedListener {
  feedAdded(feed: Feed): void;
  feedRemoved(feed: Feed): void;
}

/**
 * Every feed's recent points, filled from the log in log order. Bounded by
 * age (from arrival), by points per feed and by a global byte budget.
 */
export class Retention {
  /** Every series by key. */
  private readonly feeds = new Map<string, Feed>();
  /** The series with labels, by name (a plain name's series is `feeds.get(name)`). */
  private readonly labelled = new Map<string, Set<Feed>>();
  private readonly maxSeries: number;
  private readonly maxSeriesPerName: number;
  private refusedPoints = 0;
  private readonly index = new BatchIndex();
  private readonly batchFeeds = new BatchFeeds();
  private readonly listeners = new Set<FeedListener>();
  private readonly clock: Clock;
  private readonly defer: (work: () => void) => void;
  /** Present when the log is split into partitions. */
  private readonly partitionPositions: PartitionPositions | undefined;
  private nextFeedId = 1;
  private points = 0;
  /** The sum of `feedBytes` over the feeds. */
  private feedsBytes = 0;
  private lastPosition = 0;
  private lastSweep = 0;
  /** Batches not yet applied in full, in log order: the first is being applied. */
  private readonly queue: LoggedBatch[] = [];
  /** Position of the newest batch taken. */
  private lastQueued = 0;
  /** Points of the first queued batch already applied. */
  private appliedPoints = 0;
  /** The distinct feeds the first queued batch has given points to so far. */
  private readonly touched: Feed[] = [];
  private newFeedsLeft = 0;
  /** Feeds of evicted batches evict their points through here as they are visited. */
  private evictingThrough = 0;
  private evictionDeferred = false;

  constructor(private readonly options: RetentionOptions) {
    this.clock = options.clock ?? systemClock;
    this.defer = options.defer ?? ((work) => setImmediate(work));
    this.maxSeries = options.maxSeries ?? Infinity;
    this.maxSeriesPerName = options.maxSeriesPerName ?? Infinity;
    const partitions = options.partitions ?? 1;
    if (partitions > 1) this.partitionPositions = new PartitionPositions(partitions);
  }

  /** Position of the newest batch applied; delivery reads up to here. */
  get head(): number {
    return this.lastPosition;
  }

  /** How many positions a cursor carries: 1, or one per partition of the log. */
  get partitions(): number {
    return this.partitionPositions?.count ?? 1;
  }

  /**
   * The positions a cursor at local position `position` carries, never below
   * `atLeast` (what a resumed connection had already been given).
   */
  cursorPositions(position: number, atLeast?: readonly number[]): number | number[] {
    if (this.partitionPositions === undefined) return position;
    const origins = this.partitionPositions.originsAt(position);
    if (atLeast !== undefined) for (let p = 0; p < origins.length; p++) origins[p] = Math.max(origins[p], atLeast[p]);
    return origins;
  }

  /**
   * Where a cursor's positions resume here: with one partition the position
   * itself (no floors); with several, local floors per partition — or
   * `undefined` while this instance has not yet applied all the cursor has
   * seen (unless `now`).
   */
  resumeAt(positions: readonly number[], now = false): ResumePoint | undefined {
    const partitioned = this.partitionPositions;
    if (partitioned === undefined) return { cursor: positions[0], floors: NO_FLOORS, top: positions[0] };
    return now ? partitioned.resumeAtMost(positions) : partitioned.resumeAt(positions);
  }

  get feedCount(): number {
    return this.feeds.size;
  }

  get batches(): BatchIndex {
    return this.index;
  }

  /** The series with this key. */
  get(key: string): Feed | undefined {
    return this.feeds.get(key);
  }

  /** Every series of a name, with or without labels. */
  *named(name: string): IterableIterator<Feed> {
    const plain = this.feeds.get(name);
    if (plain !== undefined) yield plain;
    const labelled = this.labelled.get(name);
    if (labelled !== undefined) yield* labelled;
  }

  /** How many series a name has. */
  seriesOf(name: string): number {
    return (this.feeds.has(name) ? 1 : 0) + (this.labelled.get(name)?.size ?? 0);
  }

  /**
   * Why a batch naming these series keys would pass a series limit, or
   * `undefined` when it would not: the new series it brings, counted in all
   * and per name against `maxSeries` and `maxSeriesPerName`. Asked before a
   * batch is written, so that a label explosion is refused whole.
   */
  seriesLimitProblem(keys: readonly string[]): SeriesLimitProblem | undefined {
    if (this.maxSeries === Infinity && this.maxSeriesPerName === Infinity) return undefined;
    let fresh: Set<string> | undefined;
    let previous: string | undefined;
    for (const key of keys) {
      if (key === previous) continue;
      previous = key;
      if (this.feeds.has(key) || fresh?.has(key) === true) continue;
      (fresh ??= new Set()).add(key);
    }
    if (fresh === undefined) return undefined;
    if (this.feeds.size + fresh.size > this.maxSeries) {
      return { limit: 'series', max: this.maxSeries, existing: this.feeds.size, adding: fresh.size };
    }
    if (this.maxSeriesPerName === Infinity) return undefined;
    const perName = new Map<string, number>();
    for (const key of fresh) {
      const name = nameOf(key);
      const count = (perName.get(name) ?? this.seriesOf(name)) + 1;
      if (count > this.maxSeriesPerName) {
        const existing = this.seriesOf(name);
        return { limit: 'series_per_name', name, max: this.maxSeriesPerName, existing, adding: count - existing };
      }
      perName.set(name, count);
    }
    return undefined;
  }

  all(): IterableIterator<Feed> {
    return this.feeds.values();
  }

  listen(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a logged batch. Batches must come in log order; a repeated
   * position is ignored. A batch that names many new feeds is applied over
   * several turns of the event loop (see {@link FEEDS_PER_TURN}); later
   * batches wait for it, and `head` only reaches it once all of it is in.
   */
  apply(batch: LoggedBatch): void {
    if (batch.position <= this.lastQueued) return;
    this.lastQueued = batch.position;
    this.queue.push(batch);
    if (this.queue.length === 1) this.applyQueued(FEEDS_PER_TURN);
  }

  /** Finishes at once what is being applied or evicted over several turns (before a last delivery). */
  flush(): void {
    this.applyQueued(Infinity);
    while (this.batchFeeds.pending) {
      this.evictDue(Infinity);
      this.checkBudget();
    }
  }

  /**
   * Evicts points older than the retention window, and forgets the feeds it
   * leaves empty: their newest point arrived a whole window ago. Cheap to
   * call often; does the work at most once per second.
   */
  sweep(): void {
    const now = this.clock.now();
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    const cutoff = this.index.lastArrivedBy(now - this.options.retentionMs);
    if (cutoff !== undefined) this.evictThrough(cutoff);
  }

  /** Constant time: self-metrics and `/metrics` read it while hundreds of thousands of feeds may be retained. */
  stats(): RetentionStats {
    const bytes = this.usedBytes() + (this.partitionPositions?.bytes ?? 0);
    return {
      feeds: this.feeds.size,
      refusedPoints: this.refusedPoints,
      points: this.points,
      bytes,
      head: this.lastPosition,
    };
  }

  /** Applies queued batches in log order, creating at most `newFeeds` feeds before the rest waits a turn. */
  private applyQueued(newFeeds: number): void {
    this.newFeedsLeft = newFeeds;
    while (this.queue.length > 0) {
      if (!this.applySome(this.queue[0])) {
        this.defer(() => this.applyQueued(FEEDS_PER_TURN));
        return;
      }
      this.queue.shift();
    }
  }

  /** Applies `batch` from where it was left, as far as this turn's new feeds allow; returns whether it is all in. */
  private applySome(batch: LoggedBatch): boolean {
    const { feeds, t, v, position, arrivedAt } = batch;
    const partition = batch.partition ?? 0;
    const touched = this.touched;
    const from = this.appliedPoints;
    let previous: Feed | undefined;
    let refused = 0;
    let i = from;
    for (; i < feeds.length; i++) {
      let feed = previous;
      if (feed === undefined || feed.key !== feeds[i]) {
        feed = this.feeds.get(feeds[i]);
        if (feed === undefined) {
          if (this.newFeedsLeft === 0) break;
          if (!this.admits(feeds[i])) {
            refused++;
            previous = undefined;
            continue;
          }
          this.newFeedsLeft--;
          feed = this.create(feeds[i], partition);
        }
        // its first point in this batch: the batch's feeds are what evicting the batch visits
        if (feed.lastPosition !== position) touched.push(feed);
      }
      this.points -= feed.push(t[i], v[i], position, arrivedAt);
      previous = feed;
    }
    this.points += i - from - refused;
    this.refusedPoints += refused;
    if (i < feeds.length) {
      this.appliedPoints = i;
      return false;
    }
    this.appliedPoints = 0;
    this.index.push(position, arrivedAt, feeds.length);
    this.batchFeeds.push(position, touched);
    touched.length = 0;
    this.partitionPositions?.record(partition, position, batch.origin ?? position);
    this.lastPosition = position;
    this.checkBudget();
    return true;
  }

  /**
   * Whether a new series may be created as the log is applied. Writers ask
   * {@link seriesLimitProblem} first; this catches what got past them (another
   * instance's writes, or a race), dropping the new series' points rather
   * than evicting series already retained.
   */
  private admits(key: string): boolean {
    if (this.feeds.size >= this.maxSeries) return false;
    return this.maxSeriesPerName === Infinity || this.seriesOf(nameOf(key)) < this.maxSeriesPerName;
  }

  private create(key: string, partition: number): Feed {
    const feed = new Feed(this.nextFeedId++, key, this.options.maxPointsPerFeed, partition);
    this.feeds.set(key, feed);
    if (feed.key !== feed.name) {
      let series = this.labelled.get(feed.name);
      if (series === undefined) this.labelled.set(feed.name, (series = new Set()));
      series.add(feed);
    }
    this.feedsBytes += feedBytes(feed);
    for (const listener of this.listeners) listener.feedAdded(feed);
    return feed;
  }

  /**
   * Evicts every point at or before `position`, visiting only the feeds of
   * the batches evicted, a turn's share of them at once and the rest later
   * (until then their points are still read, as if not yet evicted).
   */
  private evictThrough(position: number): void {
    this.index.dropThrough(position);
    this.partitionPositions?.dropThrough(position);
    this.batchFeeds.dropThrough(position);
    this.evictingThrough = Math.max(this.evictingThrough, position);
    if (!this.evictDue(FEEDS_PER_TURN) && !this.evictionDeferred) {
      this.evictionDeferred = true;
      this.defer(() => this.evictDeferred());
    }
  }

  private evictDeferred(): void {
    this.evictionDeferred = false;
    if (!this.evictDue(FEEDS_PER_TURN)) {
      this.evictionDeferred = true;
      this.defer(() => this.evictDeferred());
    } else this.checkBudget();
  }

  /** Evicts from up to `limit` feeds of evicted batches; returns whether none are left. */
  private evictDue(limit: number): boolean {
    const through = this.evictingThrough;
    return this.batchFeeds.visitDue(limit, (feed) => {
      this.points -= feed.evictThrough(through);
      if (feed.size === 0) this.forget(feed);
    });
  }

  private forget(feed: Feed): void {
    // an entry of an older batch may name a feed forgotten since, perhaps succeeded by one of the same name
    if (this.feeds.get(feed.key) !== feed) return;
    this.feeds.delete(feed.key);
    if (feed.key !== feed.name) {
      const series = this.labelled.get(feed.name);
      series?.delete(feed);
      if (series?.size === 0) this.labelled.delete(feed.name);
    }
    this.feedsBytes -= feedBytes(feed);
    for (const listener of this.listeners) listener.feedRemoved(feed);
  }

  /**
   * What counts against the byte budget: every retained point and every
   * indexed batch (24 bytes each), what each feed weighs, and the record of
   * which feeds each batch touched, so that neither many tiny batches nor
   * many distinct feed names can grow past it.
   */
  private usedBytes(): number {
    return (
      (this.points + this.index.size) * BYTES_PER_POINT + this.feedsBytes + this.batchFeeds.size * BATCH_FEED_BYTES
    );
  }

  /**
   * Past the budget, drops the oldest batches until retention fits in 90 % of
   * it; the feeds this leaves empty are forgotten. While evicted batches'
   * feeds are still being visited their bytes are not given back yet, so the
   * budget is looked at again once they all have been.
   */
  private checkBudget(): void {
    if (this.usedBytes() <= this.options.maxBytes) return;
    const target = this.options.maxBytes * 0.9;
    // keep the newest batch whatever it costs: it was just accepted
    while (!this.batchFeeds.pending && this.usedBytes() > target && this.index.size > 1) {
      // evict as many of the oldest batches as, on average, cover the excess
      const perBatch = this.usedBytes() / this.index.size;
      const batches = Math.min(Math.ceil((this.usedBytes() - target) / perBatch), this.index.size - 1);
      const through = this.index.positionOfOldest(batches - 1);
      if (through === undefined) break;
      this.evictThrough(through);
    }
  }
}

/** The name part of a series key. */
function nameOf(key: string): string {
  const brace = key.indexOf('{');
  return brace === -1 ? key : key.slice(0, brace);
}
