import type { GapReason } from '@pulseboard/protocol';
import { systemClock, type Clock } from '../clock.js';
import { encodeCursor } from '../cursor.js';
import type { Retention } from '../retention/retention.js';
import type { SubscriptionRegistry } from '../subscriptions/subscription-registry.js';
import {
  Connection,
  type CloseReason,
  type ConnectionOptions,
  type DeliverySink,
  type SubscriptionChange,
} from './connection.js';
import { DeliveryAccounting, type DeliveryObserver } from './delivery-observer.js';
import { TickRound } from './tick-round.js';

/**
 * How long a resumed connection waits, by default, for this instance to apply
 * what its cursor has seen of a shared log (another instance may have read
 * further) before it starts from what has been applied.
 */
const RESUME_WAIT_MS = 5000;

export interface SchedulerOptions {
  /** The batch window: one tick, and at most one frame per connection, per window. */
  batchMs: number;
  /** Idle connections get a heartbeat this often. */
  heartbeatMs: number;
  /** Points one frame may carry (at least one whole batch is always sent). */
  maxFramePoints: number;
  /** A connection that has not drained for this long is closed as `slow`. */
  slowTimeoutMs: number;
  /** The log's current epoch, for cursors. */
  epoch: () => string;
  /**
   * How long a cursor ahead of what this instance has applied may wait for it
   * (default 5 s): a shared log's other instances may have read further. A
   * log only this process writes has issued every position it will ever
   * reach, so it passes 0: a cursor ahead of it is answered at once.
   */
  resumeWaitMs?: number;
  clock?: Clock;
}

/**
 * One tick per batch window. For each connection it reads the new points of
 * its subscription from retention, by cursor; frames are built once per
 * (subscription, cursor, rate) and their slices once per feed range, so a
 * thousand live viewers of the same feeds cost one encoding and a thousand
 * writes of the same buffer. Nothing is queued per connection: a connection
 * whose socket is not draining is skipped and later catches up from
 * retention, or is told of a gap if retention has moved past it.
 */
export class DeliveryScheduler {
  private readonly connections = new Set<Connection>();
  private readonly clock: Clock;
  private timer: NodeJS.Timeout | undefined;
  private tickNo = 0;
  private nextId = 1;
  private observer: DeliveryObserver | undefined;
  private readonly accounting = new DeliveryAccounting();
  private shutDown = false;

  constructor(
    private readonly retention: Retention,
    private readonly subscriptions: SubscriptionRegistry,
    private readonly options: SchedulerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  get size(): number {
    return this.connections.size;
  }

  get batchMs(): number {
    return this.options.batchMs;
  }

  observe(observer: DeliveryObserver): void {
    this.observer = observer;
  }

  /**
   * Ticks every batch window, on a fixed schedule: a tick that runs long is
   * followed at once by the next rather than piling up, and the schedule
   * catches up without bursts.
   */
  start(): void {
    if (this.timer !== undefined) return;
    let due = performance.now() + this.options.batchMs;
    const run = (): void => {
      this.tick();
      if (this.timer === undefined) return; // stopped during the tick
      const now = performance.now();
      due = Math.max(due + this.options.batchMs, now);
      this.timer = setTimeout(run, due - now);
    };
    this.timer = setTimeout(run, this.options.batchMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether new connections are taken (false once shut down). */
  get accepting(): boolean {
    return !this.shutDown;
  }

  /**
   * Stops ticking, serves every connection one last time (so that points
   * accepted before ingest stopped reach every client that can take them,
   * including batches retention was still applying a slice at a time),
   * ends every connection with `shutdown`, and takes no new ones.
   */
  shutdown(): void {
    if (this.shutDown) return;
    this.shutDown = true;
    this.stop();
    this.retention.flush();
    this.tick();
    for (const connection of [...this.connections]) this.end(connection, 'shutdown');
  }

  /** The current cursor token: where a client starting now would stand. */
  currentCursor(): string {
    return encodeCursor(this.options.epoch(), this.retention.cursorPositions(this.retention.head));
  }

  /** Registers a connection; its first points go out on the next tick. */
  open(sink: DeliverySink, options: ConnectionOptions): Connection {
    const tally = this.accounting.tallyFor(sink.transport);
    const connection = new Connection(this.nextId++, sink, this.subscriptions.acquire(options.feeds), tally);
    connection.lastWriteAt = this.clock.now();
    connection.expiresAt = options.expiresAt ?? Infinity;
    this.setRate(connection, options.maxRate ?? 0);
    const head = this.retention.head;
    if (options.resume !== undefined) {
      connection.resumed = true;
      const { epoch, positions } = options.resume;
      if (epoch === this.options.epoch() && positions.length === this.retention.partitions) {
        connection.cursor = head;
        connection.pendingResume = { positions, since: this.clock.now() };
        this.resume(connection, false);
      } else {
        this.startOver(connection);
      }
    } else {
      connection.cursor = head;
      if (options.historyMs !== undefined && options.historyMs > 0) connection.pendingHistoryMs = options.historyMs;
      else connection.caughtUp = true;
    }
    this.connections.add(connection);
    return connection;
  }

  /**
   * Replaces a connection's feeds (and rate). Feeds it keeps continue from its
   * cursor; feeds it adds start there too, after `historyMs` of their retained
   * points up to the cursor, so nothing is sent twice and nothing is skipped.
   */
  resubscribe(connection: Connection, change: SubscriptionChange): void {
    const previous = connection.subscription;
    connection.subscription = this.subscriptions.acquire(change.feeds);
    this.subscriptions.release(previous);
    if (change.maxRate !== undefined) this.setRate(connection, change.maxRate);
    if (change.historyMs !== undefined && change.historyMs > 0) {
      const added = connection.subscription.feeds.filter((feed) => !previous.has(feed));
      if (added.length > 0) {
        const pending = connection.pendingAddedHistory;
        connection.pendingAddedHistory = {
          feeds: pending === undefined ? added : [...pending.feeds, ...added],
          minT: this.clock.now() - change.historyMs,
          spanMs: change.historyMs,
        };
      }
    }
  }

  /** Unregisters a connection whose transport ended. Idempotent. */
  close(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    this.connections.delete(connection);
    this.subscriptions.release(connection.subscription);
  }

  /** Serves every connection once. Public so tests can drive time. */
  tick(): void {
    const started = performance.now();
    this.tickNo++;
    this.retention.sweep();
    const now = this.clock.now();
    const round = new TickRound(this.tickNo, now, this.retention.head, this.retention, this.options);
    for (const connection of this.connections) {
      try {
        this.serve(connection, round);
      } catch (error) {
        // one broken connection must not stop the tick for everyone else
        this.observer?.failed(connection.sink.transport, error);
        try {
          this.end(connection, 'error');
        } catch {
          this.close(connection);
        }
      }
    }
    this.accounting.endTick(this.observer, this.retention.batches, now);
    this.observer?.tick(performance.now() - started);
  }

  /**
   * Places a connection at its resume cursor, once this instance has applied
   * all the cursor has seen (or at once when `now`). Returns whether it did.
   */
  private resume(connection: Connection, now: boolean): boolean {
    const pending = connection.pendingResume;
    if (pending === undefined) return true;
    if (this.retention.partitions === 1 && pending.positions[0] > this.retention.head) {
      if (!now) return false;
      // a position this log never reached (a shared log that lost its data, or a made-up cursor): waiting would
      // keep the client silent until the log got there, so it is told continuity was lost and starts over
      connection.pendingResume = undefined;
      this.startOver(connection);
      return true;
    }
    const point = this.retention.resumeAt(pending.positions, now);
    if (point === undefined) return false;
    connection.pendingResume = undefined;
    connection.cursor = point.cursor;
    if (point.top > point.cursor) {
      connection.floors = point.floors;
      connection.floorsTop = point.top;
      connection.resumedFrom = pending.positions;
    }
    return true;
  }

  /** For a cursor of a log that is gone: says so (`gap` `epoch`), then sends all that is retained. */
  private startOver(connection: Connection): void {
    const head = this.retention.head;
    connection.pendingGap = { feeds: this.namesOf(connection), reason: 'epoch' };
    const oldest = this.retention.batches.oldestPosition;
    connection.cursor = oldest === undefined ? head : oldest - 1;
    connection.backfill = { minT: -Infinity, until: head, spanMs: 0 };
  }

  private serve(connection: Connection, round: TickRound): void {
    const { sink } = connection;
    if (connection.pendingResume !== undefined) {
      const waited = round.now - connection.pendingResume.since;
      if (!this.resume(connection, waited >= (this.options.resumeWaitMs ?? RESUME_WAIT_MS))) {
        this.keepAlive(connection, round);
        return;
      }
    }
    if (connection.pendingHistoryMs !== undefined) this.startBackfill(connection, round);
    if (connection.pendingAddedHistory !== undefined && sink.isWritable()) {
      this.deliverAddedHistory(connection, round);
      return;
    }
    const behind = connection.cursor < round.head;
    if (behind || connection.pendingGap !== undefined) {
      if (sink.isWritable()) {
        connection.stalledSince = 0;
        if (behind && this.due(connection, round)) this.deliver(connection, round);
        else if (connection.pendingGap !== undefined) {
          const gap = connection.pendingGap;
          connection.pendingGap = undefined;
          connection.wrote(sink.send({ cursor: this.cursorOf(connection), gap }), 0);
          this.observer?.gap(gap.reason);
          connection.lastWriteAt = round.now;
        }
      } else if (this.stalled(connection, round.now)) return;
    } else connection.caughtUp = true;
    if (connection.closed) return;
    this.keepAlive(connection, round);
  }

  /** Ends a connection whose time is up, or writes a heartbeat when nothing was written for a while. */
  private keepAlive(connection: Connection, round: TickRound): void {
    const { sink } = connection;
    // checked after delivery, so that a poll answers with data that arrived by its deadline
    if (round.now >= connection.expiresAt) {
      this.end(connection, 'expired');
      return;
    }
    if (round.now - connection.lastWriteAt >= this.options.heartbeatMs && sink.isWritable()) {
      sink.heartbeat();
      connection.lastWriteAt = round.now;
    }
  }

  private deliver(connection: Connection, round: TickRound): void {
    const frame = round.frameFor(connection);
    // an epoch change is announced with the first points of the new log; losses found now otherwise
    let gap = connection.pendingGap;
    connection.pendingGap = undefined;
    if (gap === undefined && frame.lost.length > 0)
      gap = { feeds: [...frame.lost], reason: this.gapReason(connection) };
    if (gap !== undefined || frame.slices.length > 0) {
      const points = frame.slices.length > 0 ? frame : undefined;
      connection.wrote(connection.sink.send({ cursor: frame.cursor, gap, frame: points }), frame.points);
      if (gap !== undefined) this.observer?.gap(gap.reason);
      // lag is what a live viewer waits: history and a resume's catch-up are old on purpose
      if (frame.points > 0 && connection.caughtUp && connection.backfill === undefined)
        this.accounting.liveWrite(connection.cursor, frame.position);
      connection.lastWriteAt = round.now;
    }
    connection.cursor = frame.position;
    if (connection.floors !== undefined && connection.cursor >= connection.floorsTop) {
      connection.floors = undefined;
      connection.resumedFrom = undefined;
    }
    if (connection.backfill !== undefined && connection.cursor >= connection.backfill.until) {
      connection.backfill = undefined;
    }
    if (connection.cursor >= round.head) connection.caughtUp = true;
  }

  /** One frame of the history of feeds added to a live connection; live points follow from its cursor. */
  private deliverAddedHistory(connection: Connection, round: TickRound): void {
    const added = connection.pendingAddedHistory;
    connection.pendingAddedHistory = undefined;
    if (added === undefined) return;
    const frame = round.historyFrame(connection, added);
    if (frame.slices.length === 0) return;
    connection.wrote(connection.sink.send({ cursor: frame.cursor, frame }), frame.points);
    connection.lastWriteAt = round.now;
  }

  /**
   * Resolves `history` into a backfill: start just before the oldest retained
   * point (of the subscribed feeds) whose time is inside the window, and
   * filter by time up to the head as it is now.
   */
  private startBackfill(connection: Connection, round: TickRound): void {
    const historyMs = connection.pendingHistoryMs ?? 0;
    connection.pendingHistoryMs = undefined;
    const minT = round.now - historyMs;
    let start = Infinity;
    for (const feed of connection.subscription.feeds) {
      const position = feed.firstPositionFrom(minT);
      if (position !== undefined && position < start) start = position;
    }
    if (start === Infinity || start > round.head) {
      connection.caughtUp = true;
      return;
    }
    connection.cursor = start - 1;
    connection.backfill = { minT, until: round.head, spanMs: historyMs };
  }

  private due(connection: Connection, round: TickRound): boolean {
    return connection.everyTicks === 1 || !connection.caughtUp || round.tick % connection.everyTicks === 0;
  }

  private gapReason(connection: Connection): GapReason {
    return connection.resumed && !connection.caughtUp ? 'retention' : 'slow';
  }

  /** Notes a stall; returns whether the connection was closed for having stalled too long. */
  private stalled(connection: Connection, now: number): boolean {
    if (connection.stalledSince === 0) connection.stalledSince = now;
    else if (now - connection.stalledSince >= this.options.slowTimeoutMs) {
      this.end(connection, 'slow');
      return true;
    }
    return false;
  }

  /** The cursor token of a connection's current position. */
  cursorOf(connection: Connection): string {
    const epoch = this.options.epoch();
    if (connection.pendingResume !== undefined) return encodeCursor(epoch, connection.pendingResume.positions);
    return encodeCursor(epoch, this.retention.cursorPositions(connection.cursor, connection.resumedFrom));
  }

  /** Counts open connections by transport. */
  countByTransport(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { sink } of this.connections) counts.set(sink.transport, (counts.get(sink.transport) ?? 0) + 1);
    return counts;
  }

  private end(connection: Connection, reason: CloseReason): void {
    this.close(connection);
    this.observer?.closed(connection.sink.transport, reason);
    connection.sink.close(reason, this.cursorOf(connection));
  }

  private setRate(connection: Connection, maxRate: number): void {
    connection.maxRate = maxRate > 0 ? maxRate : 0;
    // two points (a bucket's min and max) per delivery at the requested rate
    connection.everyTicks =
      connection.maxRate > 0 ? Math.max(1, Math.round(2000 / connection.maxRate / this.options.batchMs)) : 1;
  }

  private namesOf(connection: Connection): string[] {
    const names = new Set(connection.subscription.feeds.map((f) => f.key));
    for (const name of connection.subscription.exactNames()) names.add(name);
    return [...names].sort();
  }
}
