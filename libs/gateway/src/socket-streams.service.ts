import { Inject, Injectable } from '@nestjs/common';
import { DeliveryScheduler } from '@pulseboard/core';
import { refuseWhenShuttingDown, resumeCursor, SubscriptionControl, type FeedsChange } from '@pulseboard/streaming';
import type { SubscriptionState } from '@pulseboard/protocol';
import type { ControlSocket } from './control-socket.js';
import { GATEWAY_OPTIONS, type GatewayModuleOptions } from './gateway.options.js';
import { SocketSink } from './socket.sink.js';

export interface SocketSubscribe extends FeedsChange {
  feeds: string[];
  /** Resume the socket's data after this cursor. */
  cursor?: string;
}

/**
 * Each socket's own data stream: opened by its first `subscribe` without a
 * session, changed through the same `SubscriptionControl` as SSE streams,
 * and released when the socket goes.
 */
@Injectable()
export class SocketStreams {
  constructor(
    private readonly scheduler: DeliveryScheduler,
    private readonly control: SubscriptionControl,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayModuleOptions,
  ) {}

  /**
   * Adds feeds to the socket's stream. The first subscribe opens the stream,
   * and one with a `cursor` reopens it there (like `Last-Event-ID`), keeping
   * the feeds it had.
   */
  subscribe(socket: ControlSocket, request: SocketSubscribe): SubscriptionState {
    let connection = socket.data.connection;
    if (connection !== undefined && request.cursor === undefined) {
      const feeds = this.control.add(connection, request.feeds, request);
      return { feeds, cursor: this.scheduler.cursorOf(connection) };
    }
    refuseWhenShuttingDown(this.scheduler);
    const resume = resumeCursor(request.cursor, 'cursor');
    const previous = connection;
    const feeds = [...new Set([...(previous === undefined ? [] : this.control.feedsOf(previous)), ...request.feeds])];
    this.control.checkCount(feeds.length);
    connection = this.scheduler.open(new SocketSink(socket, this.options), {
      feeds,
      maxRate: request.maxRate ?? previous?.maxRate,
      historyMs: request.historyMs,
      resume,
    });
    socket.data.connection = connection;
    if (previous !== undefined) this.scheduler.close(previous);
    return { feeds: this.control.feedsOf(connection), cursor: this.scheduler.cursorOf(connection) };
  }

  /** Removes feeds from the socket's stream (it stays open, with its cursor). */
  unsubscribe(socket: ControlSocket, feeds: string[]): SubscriptionState {
    const connection = socket.data.connection;
    if (connection === undefined) return { feeds: [] };
    return { feeds: this.control.remove(connection, feeds), cursor: this.scheduler.cursorOf(connection) };
  }

  /** Ends the socket's stream when the socket goes. */
  release(socket: ControlSocket): void {
    const connection = socket.data.connection;
    if (connection === undefined) return;
    socket.data.connection = undefined;
    this.scheduler.close(connection);
  }
}
