import type { FeedChunks, GapEvent, HelloEvent } from '@pulseboard/protocol';
import type { BackoffOptions } from '../backoff.js';
import type { Platform, TokenSource } from '../platform.js';
import type { PulseboardError } from '../pulseboard-error.js';

/**
 * The connection's state:
 * - `disconnected`: not trying (before `connect()`, after `close()`, or
 *   after the server refused the request itself, e.g. bad feed names);
 * - `connecting`: opening a stream or waiting out a backoff delay before
 *   the next try;
 * - `connected`: the stream's `hello` arrived; points flow.
 */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

export interface ConsumerOptions {
  /** The server's base URL (`https://pulse.example.com`, or `/` in a page the server serves). */
  url: string;
  /**
   * Selectors to stream: feed names and patterns (`host1.cpu.user`, `host1.>`,
   * `*.cpu.user`), optionally with label matchers (`cpu.usage{host=~"a|b"}`).
   * Points arrive keyed by series key (`cpu.usage{host="a"}`, or the name
   * alone for a series without labels).
   */
  feeds?: string[];
  /** Milliseconds of retained history to draw before going live; used until the first `points` gives a cursor. */
  history?: number;
  /** Points per second per feed (server-side downsampling); unset for every point. */
  maxRate?: number;
  /**
   * A viewer token, or a function asked for a fresh one before every
   * connection of the stream and of the control socket. Only with a function
   * does a token the server refuses (expired, not valid, missing) lead to a
   * new try instead of stopping: see "Tokens and expiry" in the README.
   */
  token?: TokenSource;
  /** Reconnect delays: full jitter over `min(maxMs, initialMs * 2^attempt)`; defaults 500 and 20,000 ms. */
  backoff?: BackoffOptions;
  /** Reconnect when nothing (event, heartbeat comment or socket ping) arrived for this long; default 30,000 ms. */
  watchdogMs?: number;
  /** How long a subscription change waits for the control socket's acknowledgement; default 5,000 ms. */
  ackTimeoutMs?: number;
  /** Replaces parts of the platform (tests: timers, randomness, a scripted stream). */
  platform?: Partial<Platform>;
}

/**
 * New points of the stream, by series key (`parseSeriesKey` reads one):
 * `cursor` is the position after them, to resume from.
 */
export interface StreamPoints {
  cursor: string;
  feeds: FeedChunks;
}

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
}

/** A reconnection was scheduled: the `attempt`-th since the last connected stream, after `delayMs`. */
export interface ReconnectEvent {
  attempt: number;
  delayMs: number;
}

/** Options of one `subscribe()` call. */
export interface SubscribeOptions {
  /** Milliseconds of retained history to send first for the added feeds (applies to a live stream). */
  history?: number;
  /** Points per second per feed for the whole stream from now on. */
  maxRate?: number;
}

/** What a consumer emits. */
export interface ConsumerEvents {
  state: StateChange;
  /** A stream opened: its session is what the control socket names it by. */
  hello: HelloEvent;
  points: StreamPoints;
  /** Continuity was lost for these feeds (`epoch`: the server's log restarted; `retention`, `slow`). */
  gap: GapEvent;
  /** The server's `event: error`, a refusal, or a connection failure. */
  error: PulseboardError;
  reconnect: ReconnectEvent;
}

export const CONSUMER_DEFAULTS = {
  backoffInitialMs: 500,
  backoffMaxMs: 20_000,
  watchdogMs: 30_000,
  ackTimeoutMs: 5_000,
} as const;
