import { systemClock, type Clock } from '../clock.js';
import type { LoggedBatch } from '../log/point-batch.js';
import { BatchIndex } from './batch-index.js';
import { BYTES_PER_POINT, Feed } from './feed.js';
import { PartitionPositions, type ResumePoint } from './partition-positions.js';

/** The floors of a cursor of an unsplit log: none. */
const NO_FLOORS = new Float64Array(0);

/**
 * What a feed costs besides its points, in points' worth of bytes: the object,
 * its name and an initial ring of 8 rows (about 700 bytes all told).
 */
const FEED_COST_POINTS = 32;

export interface RetentionOptions {
  /** Points are evicted this long after their arrival. */
  retentionMs: number;
  /** At most this many points per feed; the oldest go first. */
  maxPointsPerFeed: number;
  /** Budget for all retained points, in bytes (24 per point); the oldest batches go first. */
  maxBytes: number;
  /** Partitions of the log (1 unless it is split); cursors then carry one position per partition. */
  partitions?: number;
  clock?: Clock;
}

export interface RetentionStats {
  feeds: number;
  points: number;
  /** Bytes held by the feeds' ring buffers and the batch index. */
  bytes: number;
  head: number;
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
  private readonly feeds = new Map<string, Feed>();
  private readonly index = new BatchIndex();
  private readonly listeners = new Set<FeedListener>();
  private readonly clock: Clock;
  /** Present when the log is split into partitions. */
  private readonly partitionPositions: PartitionPositions | undefined;
  private nextFeedId = 1;
  private points = 0;
  private lastPosition = 0;
  private lastSweep = 0;

  constructor(private readonly options: RetentionOptions) {
    this.clock = options.clock ?? systemClock;
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

  get(name: string): Feed | undefined {
    return this.feeds.get(name);
  }

  all(): IterableIterator<Feed> {
    return this.feeds.values();
  }

  listen(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a logged batch. Batches must come in log order; a repeated position is ignored. */
  apply(batch: LoggedBatch): void {
    if (batch.position <= this.lastPosition) return;
    const { feeds, t, v, position, arrivedAt } = batch;
    const partition = batch.partition ?? 0;
    let previous: Feed | undefined;
    for (let i = 0; i < feeds.length; i++) {
      const name = feeds[i];
      const feed = previous !== undefined && previous.name === name ? previous : this.feedFor(name, partition);
      this.points -= feed.push(t[i], v[i], position, arrivedAt);
      previous = feed;
    }
    this.points += feeds.length;
    this.index.push(position, arrivedAt, feeds.length);
    this.partitionPositions?.record(partition, position, batch.origin ?? position);
    this.lastPosition = position;
    if (this.usedBytes() > this.options.maxBytes) this.evictForBudget();
  }

  /**
   * Evicts points older than the retention window and forgets feeds that have
   * been empty and silent for a whole window. Cheap to call often; does the
   * work at most once per second.
   */
  sweep(): void {
    const now = this.clock.now();
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    const cutoff = this.index.lastArrivedBy(now - this.options.retentionMs);
    if (cutoff !== undefined) this.evictThrough(cutoff);
    this.forgetEmptyFeeds((feed) => now - feed.lastArrival > this.options.retentionMs);
  }

  stats(): RetentionStats {
    let bytes = this.index.bytes + (this.partitionPositions?.bytes ?? 0);
    for (const feed of this.feeds.values()) bytes += feed.capacity * BYTES_PER_POINT;
    return { feeds: this.feeds.size, points: this.points, bytes, head: this.lastPosition };
  }

  private feedFor(name: string, partition: number): Feed {
    let feed = this.feeds.get(name);
    if (feed === undefined) {
      feed = new Feed(this.nextFeedId++, name, this.options.maxPointsPerFeed, partition);
      this.feeds.set(name, feed);
      for (const listener of this.listeners) listener.feedAdded(feed);
    }
    return feed;
  }

  private evictThrough(position: number): void {
    for (const feed of this.feeds.values()) this.points -= feed.evictThrough(position);
    this.index.dropThrough(position);
    this.partitionPositions?.dropThrough(position);
  }

  private forgetEmptyFeeds(alsoIf: (feed: Feed) => boolean): void {
    for (const feed of this.feeds.values()) {
      if (feed.size === 0 && alsoIf(feed)) {
        this.feeds.delete(feed.name);
        for (const listener of this.listeners) listener.feedRemoved(feed);
      }
    }
  }

  /**
   * What counts against the byte budget: every retained point and every
   * indexed batch (24 bytes each), plus a fixed cost per feed, so that neither
   * many tiny batches nor many distinct feed names can grow past it.
   */
  private usedBytes(): number {
    return (this.points + this.index.size + this.feeds.size * FEED_COST_POINTS) * BYTES_PER_POINT;
  }

  /**
   * Drops the oldest batches until retention fits in 90 % of the budget; under
   * this pressure, feeds left empty are forgotten at once.
   */
  private evictForBudget(): void {
    const target = this.options.maxBytes * 0.9;
    // keep the newest batch whatever it costs: it was just accepted
    while (this.usedBytes() > target && this.index.size > 1) {
      // evict as many of the oldest batches as, on average, cover the excess
      const perBatch = this.usedBytes() / this.index.size;
      const batches = Math.min(Math.ceil((this.usedBytes() - target) / perBatch), this.index.size - 1);
      const through = this.index.positionOfOldest(batches - 1);
      if (through === undefined) break;
      this.evictThrough(through);
      this.forgetEmptyFeeds(() => true);
    }
  }
}
