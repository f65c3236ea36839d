import { Inject, Injectable } from '@nestjs/common';
import { ApiError, type Principal } from '@pulseboard/api';
import { DeliveryScheduler, type Connection } from '@pulseboard/core';
import { StreamSessions, type StreamSession } from './stream-sessions.js';
import { STREAMING_OPTIONS, type StreamingModuleOptions } from './streaming.options.js';

export interface FeedsChange {
  /** Milliseconds of retained history to send for the feeds this adds. */
  historyMs?: number;
  /** Points per second per feed for the whole connection; 0 for every point. */
  maxRate?: number;
}

/**
 * Changes what a live connection receives: the one place subscription state
 * is edited, whatever the transport — a control socket steering an SSE
 * stream, or a socket's own data. Transport-neutral: it finds steerable
 * connections through {@link StreamSessions}. Names and patterns arrive
 * validated.
 */
@Injectable()
export class SubscriptionControl {
  constructor(
    private readonly scheduler: DeliveryScheduler,
    private readonly sessions: StreamSessions,
    @Inject(STREAMING_OPTIONS) private readonly options: StreamingModuleOptions,
  ) {}

  /** The feed names and patterns a connection is subscribed to, sorted. */
  feedsOf(connection: Connection): string[] {
    return connection.subscription.selectors.map((s) => s.source);
  }

  /** Adds feeds; returns the connection's feeds after the change. */
  add(connection: Connection, feeds: readonly string[], change: FeedsChange = {}): string[] {
    const next = [...new Set([...this.feedsOf(connection), ...feeds])];
    this.checkCount(next.length);
    this.scheduler.resubscribe(connection, { feeds: next, historyMs: change.historyMs, maxRate: change.maxRate });
    return this.feedsOf(connection);
  }

  /** Removes feeds (exactly as they were subscribed); returns the connection's feeds after the change. */
  remove(connection: Connection, feeds: readonly string[]): string[] {
    const removed = new Set(feeds);
    this.scheduler.resubscribe(connection, { feeds: this.feedsOf(connection).filter((f) => !removed.has(f)) });
    return this.feedsOf(connection);
  }

  /** Refuses a subscription larger than one connection may hold. */
  checkCount(count: number): void {
    if (count > this.options.maxSubscriptions) {
      throw new ApiError(
        400,
        'too_many_subscriptions',
        `a connection may subscribe to at most ${this.options.maxSubscriptions} feeds and patterns`,
      );
    }
  }

  /** Whether this instance holds the SSE stream a `session` names. */
  holds(id: string): boolean {
    return this.sessions.get(id) !== undefined;
  }

  /**
   * The SSE stream a `session` names, when `principal` opened it: a socket
   * may steer its own client's stream and no one else's.
   */
  session(id: string, principal: Pick<Principal, 'id'>): StreamSession {
    const session = this.sessions.get(id);
    if (session === undefined) {
      throw new ApiError(404, 'session_not_found', 'no open stream has this session id (it may have ended)');
    }
    if (session.owner.id !== principal.id) {
      throw new ApiError(403, 'forbidden', 'this stream belongs to another client');
    }
    return session;
  }
}
