import type { GapEvent } from '@pulseboard/protocol';
import type { Cursor } from '../cursor.js';
import type { Feed } from '../retention/feed.js';
import type { Subscription } from '../subscriptions/subscription-registry.js';
import type { TransportTally } from './delivery-observer.js';
import type { Frame } from './frame.js';

/** Why the server ends a connection. */
export type CloseReason = 'slow' | 'shutdown' | 'expired' | 'error';

/** What a transport gets in one tick: continuity news, points, or both. */
export interface Delivery {
  /** The connection's cursor after this delivery. */
  cursor: string;
  gap?: GapEvent;
  frame?: Frame;
}

/**
 * The transport side of a connection (an SSE response, a pending poll, a
 * socket). The scheduler never buffers for it: when it is not writable, it is
 * skipped and later served from retention by its cursor.
 */
export interface DeliverySink {
  /** Label for metrics: `sse`, `poll`, `socketio`. */
  readonly transport: string;
  /** Whether the transport can take a write now (its socket is draining). */
  isWritable(): boolean;
  /**
   * Writes one delivery; answers the bytes written, as the transport frames
   * them (for metrics: return a length already at hand, do not encode again).
   */
  send(delivery: Delivery): number;
  /** Called when nothing was written for a heartbeat interval. */
  heartbeat(): void;
  /** Called once when the server ends the connection; the sink ends its transport. */
  close(reason: CloseReason, cursor: string): void;
}

export interface ConnectionOptions {
  /** Feed names and patterns, already validated. */
  feeds: readonly string[];
  /** Points per second per feed; 0 or absent for every point. */
  maxRate?: number;
  /** Milliseconds of retained history (by point time) to send first. */
  historyMs?: number;
  /** Resume after this cursor instead of starting live. */
  resume?: Cursor;
  /** Server time at which the scheduler closes the connection with `expired`. */
  expiresAt?: number;
}

/** History for feeds added to a live connection: their points since `minT`, up to the connection's cursor. */
export interface AddedHistory {
  feeds: Feed[];
  minT: number;
  spanMs: number;
}

/** What a live connection may change: its feeds, its rate, and history for the feeds it adds. */
export interface SubscriptionChange {
  feeds: readonly string[];
  /** Points per second per feed; absent to keep the current rate, 0 for every point. */
  maxRate?: number;
  /** Milliseconds of retained history to send for the feeds this change adds. */
  historyMs?: number;
}

/**
 * A connection as the scheduler sees it: a cursor and a subscription, nothing
 * queued. Every field is the scheduler's; transports hold it as a handle.
 */
export class Connection {
  /** Log position up to which this connection has been served. */
  cursor = 0;
  maxRate = 0;
  /** Serve every Nth tick (rate-limited connections are served less often). */
  everyTicks = 1;
  /** History to resolve on the next tick. */
  pendingHistoryMs: number | undefined;
  /** While backfilling: serve only points with `t >= minT`, up to `until`. */
  backfill: { minT: number; until: number; spanMs: number } | undefined;
  /** Feeds added while streaming whose retained history goes out on the next tick. */
  pendingAddedHistory: AddedHistory | undefined;
  /** A gap to announce before anything else (an epoch change on resume). */
  pendingGap: GapEvent | undefined;
  /**
   * A cursor of a split log that names batches this instance has not applied
   * yet: the connection waits (heartbeats only) until it has, from `since`.
   */
  pendingResume: { positions: readonly number[]; since: number } | undefined;
  /**
   * While a resumed connection of a split log catches up: per partition, the
   * local position through which its points were already delivered
   * elsewhere; dropped once the cursor reaches `floorsTop`.
   */
  floors: Float64Array | undefined;
  floorsTop = 0;
  /** The positions it resumed from, while `floors` apply: its cursors never go below them. */
  resumedFrom: readonly number[] | undefined;
  /** Whether this connection started from a client's cursor. */
  resumed = false;
  /** Whether the cursor has reached the head at least once. */
  caughtUp = false;
  lastWriteAt = 0;
  /** When the sink was first found not writable in the current stall, or 0. */
  stalledSince = 0;
  expiresAt = Infinity;
  closed = false;

  constructor(
    readonly id: number,
    readonly sink: DeliverySink,
    public subscription: Subscription,
    /** What this connection's writes add to: its transport's tally for the tick. */
    readonly tally: TransportTally,
  ) {}

  /** Counts one write: plain additions, the only per-write cost of metrics. */
  wrote(bytes: number, points: number): void {
    const tally = this.tally;
    tally.frames++;
    tally.bytes += bytes;
    tally.points += points;
  }
}
