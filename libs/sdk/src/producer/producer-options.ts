import type { Labels, Point } from '@pulseboard/protocol';
import type { BackoffOptions } from '../backoff.js';
import type { ProducerPlatform, TokenSource } from '../platform.js';
import { PulseboardError, type PulseboardErrorOptions } from '../pulseboard-error.js';

/** A point of one series: its feed name and, optionally, its labels. */
export interface SeriesPoint extends Point {
  /** `{"host":"h1"}`: at most 32, keys `[A-Za-z_][A-Za-z0-9_]*`, values 1–1024 bytes. */
  labels?: Labels;
}

/** What `push()` takes besides the feed and the value. */
export interface PushOptions {
  /** Milliseconds since the epoch; see `clientTimestamps` when absent. */
  t?: number;
  labels?: Labels;
}

export interface ProducerOptions {
  /** The server's base URL. */
  url: string;
  /**
   * A producer token, or a function asked for a fresh one before every
   * request. With a function, a batch refused for an expired or not valid
   * token is sent again at once with a fresh one (once per batch).
   */
  token?: TokenSource;
  /** A batch is sent as soon as this many points wait; default 1,000. */
  maxBatchPoints?: number;
  /** No point waits longer than this for a batch to fill (or for the request before it); default 100 ms. */
  flushIntervalMs?: number;
  /** Points kept waiting at most; beyond it the oldest are dropped; default 100,000. */
  maxBufferPoints?: number;
  /** Delays between tries of a failed request (full jitter); defaults 200 and 10,000 ms. */
  retry?: BackoffOptions;
  /**
   * Stamp points pushed without `t` with the producer's clock at `push()`
   * (default `true`): a point that waited for a batch or a retry keeps the
   * moment it was measured. `false` leaves `t` out, and the server stamps
   * each point when it arrives.
   */
  clientTimestamps?: boolean;
  /** Replaces parts of the platform (tests: `fetch`, timers). */
  platform?: Partial<ProducerPlatform>;
}

/** Point counts since the producer was created. */
export interface ProducerStats {
  /** Accepted by the server. */
  sent: number;
  /** Dropped on this side: the oldest, when the buffer was full, or what was left when `close()` timed out. */
  dropped: number;
  /** In batches the server refused (4xx other than 408 and 429). */
  rejected: number;
  /** Waiting or in flight. */
  buffered: number;
}

/** A request failed and will be tried again after `delayMs` (the server's `Retry-After` when it gave one). */
export interface ProducerRetryEvent {
  attempt: number;
  delayMs: number;
  error: PulseboardError;
}

/** Points were dropped on this side. */
export interface ProducerDropEvent {
  count: number;
  reason: 'overflow' | 'close_timeout';
}

/** The server refused a batch (invalid points, a refused token, a limit); `points` is the batch, which `details[].index` points into. */
export class RejectedBatchError extends PulseboardError {
  constructor(
    error: PulseboardError,
    readonly points: readonly SeriesPoint[],
  ) {
    const options: PulseboardErrorOptions = { details: error.details };
    if (error.status !== undefined) options.status = error.status;
    super(error.code, error.message, options);
    this.name = 'RejectedBatchError';
  }
}

/** What a producer emits. */
export interface ProducerEvents {
  /** A batch was refused and dropped. */
  error: RejectedBatchError;
  retry: ProducerRetryEvent;
  drop: ProducerDropEvent;
}

export const PRODUCER_DEFAULTS = {
  maxBatchPoints: 1000,
  flushIntervalMs: 100,
  maxBufferPoints: 100_000,
  retryInitialMs: 200,
  retryMaxMs: 10_000,
} as const;
