import type {
  Ack,
  Annotation,
  AnnotationRemovedEvent,
  ClientToServerEvents,
  GapEvent,
  PresenceEvent,
  ServerToClientEvents,
  SocketPointsEvent,
} from '@pulseboard/protocol';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { Waiters } from './waiters.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The server events a control client records. */
export interface ReceivedEvents {
  points: SocketPointsEvent;
  gap: GapEvent;
  presence: PresenceEvent;
  annotation: Annotation;
  annotation_removed: AnnotationRemovedEvent;
}

/** What the server sent, in order of arrival. */
export interface Received {
  event: keyof ReceivedEvents;
  data: unknown;
}

/** An acknowledgement as a test reads it. */
export type AckAnswer = Ack<Record<string, unknown>> & Record<string, unknown>;

/**
 * A real socket.io-client on the control socket, recording every server
 * event in order and resolving waiters as they arrive.
 */
export class ControlClient {
  readonly received: Received[] = [];
  disconnectReason: string | undefined;
  private readonly waiters = new Waiters();

  private constructor(readonly socket: ClientSocket) {
    socket.on('points', (data) => this.record({ event: 'points', data }));
    socket.on('gap', (data) => this.record({ event: 'gap', data }));
    socket.on('presence', (data) => this.record({ event: 'presence', data }));
    socket.on('annotation', (data) => this.record({ event: 'annotation', data }));
    socket.on('annotation_removed', (data) => this.record({ event: 'annotation_removed', data }));
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
      this.notify();
    });
  }

  /** Connects over WebSocket (no reconnection, so a test sees every disconnect) and resolves once connected. */
  static connect(url: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<ControlClient> {
    const socket: ClientSocket = io(url, { transports: ['websocket'], reconnection: false, ...options });
    const client = new ControlClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(client));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  /** Sends a control event and resolves with its acknowledgement. */
  ack(event: string, ...args: unknown[]): Promise<AckAnswer> {
    // untyped on purpose: tests send malformed and unknown events too
    const timed = this.socket.timeout(10_000);
    const emit = timed.emitWithAck as (event: string, ...args: unknown[]) => Promise<AckAnswer>;
    return emit.call(timed, event, ...args);
  }

  named<E extends keyof ReceivedEvents>(event: E): ReceivedEvents[E][] {
    return this.received.filter((r) => r.event === event).map((r) => r.data as ReceivedEvents[E]);
  }

  /** Every value received for a feed, in order. */
  values(feed: string): number[] {
    return this.named('points').flatMap((p) => p.feeds[feed]?.v ?? []);
  }

  lastCursor(): string | undefined {
    return this.named('points').at(-1)?.cursor;
  }

  /** Resolves when `condition` holds, checking after every event; rejects after `timeoutMs`. */
  until(condition: (client: ControlClient) => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
    return this.waiters.until(
      () => condition(this),
      () => `${what}; got ${JSON.stringify(this.received)}`,
      timeoutMs,
    );
  }

  untilValues(feed: string, count: number): Promise<void> {
    return this.until((c) => c.values(feed).length >= count, `${count} values of ${feed}`);
  }

  untilDisconnected(): Promise<void> {
    return this.until((c) => c.disconnectReason !== undefined, 'disconnect');
  }

  close(): void {
    this.socket.close();
  }

  private record(received: Received): void {
    this.received.push(received);
    this.notify();
  }

  private notify(): void {
    this.waiters.notify();
  }
}
