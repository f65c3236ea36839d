import type { SseConnector } from './connectors/sse-connector.js';
import type { ControlSocketFactory } from './consumer/control-socket.js';

/** Whatever a platform's `setTimeout` returns: a number in browsers, an object in Node. */
export type TimerHandle = number | object;

/** The timer functions the SDK schedules with; tests pass fake ones. */
export interface Timers {
  setTimeout: (callback: () => void, ms: number) => TimerHandle;
  clearTimeout: (handle: TimerHandle) => void;
}

/** The subset of `fetch` the SDK calls. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Everything the consumer touches outside itself. Each part has a default
 * (the real network, the real clock); tests replace parts to inject timing
 * and failures.
 */
export interface Platform extends Timers {
  /** How a Server-Sent Events stream is opened. */
  sse: SseConnector;
  /** How the Socket.IO control socket is opened. */
  socket: ControlSocketFactory;
  /** Uniform in [0, 1): the jitter of reconnect delays. */
  random: () => number;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Everything the producer touches outside itself. */
export interface ProducerPlatform extends Timers {
  fetch: FetchLike;
  /** Uniform in [0, 1): the jitter of retry delays. */
  random: () => number;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/**
 * The global timers, looked up at each call (so test fake timers apply) and
 * called unbound from any object (browsers refuse `setTimeout` called on a
 * foreign `this`).
 */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

/** The global `fetch`, looked up at each call. */
export const systemFetch: FetchLike = (input, init) => globalThis.fetch(input, init);

/** A bearer token, or a function that returns a fresh one (called before every connection or request). */
export type TokenSource = string | (() => string | Promise<string>);

/** The current token: synchronous when it can be, so a fixed token opens a connection without a tick's delay. */
export function readToken(source: TokenSource | undefined): string | undefined | Promise<string> {
  return typeof source === 'function' ? source() : source;
}
