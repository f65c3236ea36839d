import { encodeCursor } from '../cursor.js';
import type { Feed } from '../retention/feed.js';
import type { Retention } from '../retention/retention.js';
import type { Subscription } from '../subscriptions/subscription-registry.js';
import type { AddedHistory, Connection } from './connection.js';
import { downsampleMinMax } from './downsample.js';
import { FeedSlice, Frame } from './frame.js';

export interface FrameLimits {
  batchMs: number;
  /** Points one frame may carry (at least one whole batch is always sent). */
  maxFramePoints: number;
  epoch: () => string;
}

/** Connections that get the same frame: same subscription, cursor, rate and backfill window. */
interface FrameGroup {
  from: number;
  floors: Float64Array | undefined;
  rate: number;
  minT: number;
  until: number;
  frame: Frame;
}

/**
 * One tick's frames. Frames are built once per group of connections and
 * slices once per feed range, then dropped with the round.
 */
export class TickRound {
  private readonly frames = new Map<Subscription, FrameGroup[]>();
  private readonly slices = new Map<string, FeedSlice>();

  constructor(
    readonly tick: number,
    readonly now: number,
    readonly head: number,
    private readonly retention: Retention,
    private readonly limits: FrameLimits,
  ) {}

  /** The frame for a connection at its cursor: built for the first of its group, shared by the rest. */
  frameFor(connection: Connection): Frame {
    const { backfill } = connection;
    const minT = backfill?.minT ?? -Infinity;
    const until = backfill?.until ?? -1;
    let groups = this.frames.get(connection.subscription);
    if (groups === undefined) {
      groups = [];
      this.frames.set(connection.subscription, groups);
    }
    // few groups share a subscription (live ones sit at the same cursor): a scan beats a string key
    for (const group of groups) {
      if (
        group.from === connection.cursor &&
        group.floors === connection.floors &&
        group.rate === connection.maxRate &&
        group.minT === minT &&
        group.until === until
      ) {
        return group.frame;
      }
    }
    const frame = this.build(connection);
    groups.push({ from: connection.cursor, floors: connection.floors, rate: connection.maxRate, minT, until, frame });
    return frame;
  }

  private build(connection: Connection): Frame {
    const { backfill } = connection;
    const from = connection.cursor;
    const limit = backfill === undefined ? this.head : Math.min(backfill.until, this.head);
    let to = this.retention.batches.reachWithin(from, limit, this.limits.maxFramePoints);
    const lost: string[] = [];
    const feeds = connection.subscription.feeds;
    // a connection resumed on a split log already has each partition's points up to its floor
    const floors = connection.floors;
    const afterOf = (feed: Feed): number => (floors === undefined ? from : Math.max(from, floors[feed.partition]));
    if (backfill === undefined) {
      for (const feed of feeds) {
        if (feed.evictedThrough > afterOf(feed)) {
          lost.push(feed.key);
          // reach past the lost points at once so the loss is announced once
          to = Math.max(to, Math.min(feed.evictedThrough, limit));
        }
      }
    }
    const budget = this.budget(connection, from, to);
    const minT = backfill?.minT ?? -Infinity;
    const slices: FeedSlice[] = [];
    for (const feed of feeds) {
      // points of one batch share a position, so after a loss read from the oldest retained point
      const base = afterOf(feed);
      const after = feed.evictedThrough > base ? -Infinity : base;
      if (feed.lastPosition <= after || feed.size === 0) continue;
      const slice = this.slice(feed, after, to, minT, budget);
      if (slice.size > 0) slices.push(slice);
    }
    return new Frame(this.cursorAt(to, connection), to, slices, lost);
  }

  /**
   * The retained history of feeds added to a live connection: points since
   * `minT` up to its cursor (later points reach it live), within the rate's
   * budget for the span, or the frame cap shared among the feeds.
   */
  historyFrame(connection: Connection, added: AddedHistory): Frame {
    const through = connection.cursor;
    const budget =
      connection.maxRate > 0
        ? Math.max(2, Math.ceil((connection.maxRate * added.spanMs) / 1000))
        : Math.max(2, Math.floor(this.limits.maxFramePoints / added.feeds.length));
    const slices: FeedSlice[] = [];
    for (const feed of added.feeds) {
      if (!connection.subscription.has(feed) || feed.size === 0) continue;
      const slice = this.slice(feed, -Infinity, through, added.minT, budget);
      if (slice.size > 0) slices.push(slice);
    }
    return new Frame(this.cursorAt(through, connection), through, slices, []);
  }

  private cursorAt(position: number, connection: Connection): string {
    return encodeCursor(this.limits.epoch(), this.retention.cursorPositions(position, connection.resumedFrom));
  }

  /** Points per feed a rate-limited frame may carry: the rate times the time the frame covers. */
  private budget(connection: Connection, from: number, to: number): number {
    if (connection.maxRate <= 0) return Infinity;
    const index = this.retention.batches;
    const first = index.arrivalAfter(from);
    const last = index.arrivalAt(to);
    let spanMs = connection.everyTicks * this.limits.batchMs;
    if (first !== undefined && last !== undefined) spanMs = Math.max(spanMs, last - first);
    if (connection.backfill !== undefined) spanMs = Math.max(spanMs, connection.backfill.spanMs);
    return Math.max(2, Math.ceil((connection.maxRate * spanMs) / 1000));
  }

  private slice(feed: Feed, after: number, through: number, minT: number, budget: number): FeedSlice {
    const key = `${feed.id}:${after}:${through}:${minT}:${budget}`;
    let slice = this.slices.get(key);
    if (slice === undefined) {
      const points = downsampleMinMax(feed.read(after, through, minT), budget);
      slice = new FeedSlice(feed, points.t, points.v);
      this.slices.set(key, slice);
    }
    return slice;
  }
}
