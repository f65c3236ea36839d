import { labelsProblem, pointProblem, type Labels } from '@pulseboard/protocol';
import { Backoff } from '../backoff.js';
import {
  readToken,
  systemFetch,
  systemTimers,
  type ProducerPlatform,
  type TimerHandle,
  type TokenSource,
} from '../platform.js';
import { errorFromResponse, networkError, PulseboardError, tokenProblem } from '../pulseboard-error.js';
import { ingestUrl, serverBase } from '../server-url.js';
import { TypedEmitter, type Listener } from '../typed-emitter.js';
import { PointQueue } from './point-queue.js';
import {
  PRODUCER_DEFAULTS,
  RejectedBatchError,
  type ProducerEvents,
  type ProducerOptions,
  type ProducerStats,
  type PushOptions,
  type SeriesPoint,
} from './producer-options.js';
import { retryAfterMs } from './retry-after.js';

function platformWith(parts: Partial<ProducerPlatform> = {}): ProducerPlatform {
  return {
    fetch: parts.fetch ?? systemFetch,
    setTimeout: parts.setTimeout ?? systemTimers.setTimeout,
    clearTimeout: parts.clearTimeout ?? systemTimers.clearTimeout,
    random: parts.random ?? (() => Math.random()),
    now: parts.now ?? (() => Date.now()),
  };
}

/** A copy of `labels`, or `undefined` when there are none: a series without labels is its name alone. */
function ownLabels(labels: Labels | undefined): Labels | undefined {
  if (labels === undefined) return undefined;
  let copy: Record<string, string> | undefined;
  for (const key in labels) if (Object.hasOwn(labels, key)) (copy ??= {})[key] = labels[key];
  return copy;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/** A batch taken from the queue: its body is encoded once, however often it is tried. */
interface Batch {
  points: SeriesPoint[];
  /** Queue number of its first point. */
  firstSeq: number;
  body: string;
  /** It was sent again at once with a fresh token after the server refused a stale one; that happens once. */
  tokenRenewed: boolean;
}

interface FlushWaiter {
  /** Queue number of the last point pushed before `flush()`. */
  lastSeq: number;
  resolve: () => void;
}

/**
 * Sends points to `POST /api/v1/ingest` in batches: a batch leaves when
 * `maxBatchPoints` wait or the oldest has waited `flushIntervalMs`. One
 * request is in flight at a time, so points arrive in push order. Failed
 * requests (network, 5xx, 429) are retried until they succeed, after the
 * server's `Retry-After` or a full-jitter backoff; a batch the server
 * refuses as invalid is dropped and reported (`error`, `stats.rejected`).
 * When the server refuses the token as expired or not valid and the token
 * is a callback, the batch is sent again at once with a fresh token, once.
 *
 * Drop policy: the buffer holds at most `maxBufferPoints` waiting points.
 * When a push would exceed it (the server is unreachable for long), the
 * OLDEST waiting points are dropped and counted in `stats.dropped`: a live
 * dashboard wants the newest values. Memory is bounded by `maxBufferPoints`
 * plus one batch in flight.
 *
 * ```ts
 * const producer = new PulseboardProducer({ url: 'https://pulse.example.com', token });
 * producer.push('host1.cpu.user', 0.42);
 * producer.push('cpu.usage', 0.42, { labels: { host: 'h1' } });
 * await producer.close();
 * ```
 */
export class PulseboardProducer {
  private readonly events = new TypedEmitter<ProducerEvents>();
  private readonly platform: ProducerPlatform;
  private readonly url: string;
  private readonly token: TokenSource | undefined;
  private readonly maxBatchPoints: number;
  private readonly flushIntervalMs: number;
  private readonly maxBufferPoints: number;
  private readonly clientTimestamps: boolean;
  private readonly backoff: Backoff;
  private readonly queue = new PointQueue();
  private inFlight: Batch | undefined;
  private abort: AbortController | undefined;
  /** The oldest waiting point has waited `flushIntervalMs`. */
  private due = false;
  private intervalTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private flushWaiters: FlushWaiter[] = [];
  private closing: Promise<void> | undefined;
  private stopped = false;
  private counts = { sent: 0, dropped: 0, rejected: 0 };

  constructor(options: ProducerOptions) {
    this.platform = platformWith(options.platform);
    this.url = ingestUrl(serverBase(options.url));
    this.token = options.token;
    this.maxBatchPoints = positiveInteger('maxBatchPoints', options.maxBatchPoints ?? PRODUCER_DEFAULTS.maxBatchPoints);
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? PRODUCER_DEFAULTS.flushIntervalMs);
    this.maxBufferPoints = positiveInteger(
      'maxBufferPoints',
      options.maxBufferPoints ?? PRODUCER_DEFAULTS.maxBufferPoints,
    );
    this.clientTimestamps = options.clientTimestamps ?? true;
    this.backoff = new Backoff(
      options.retry?.initialMs ?? PRODUCER_DEFAULTS.retryInitialMs,
      options.retry?.maxMs ?? PRODUCER_DEFAULTS.retryMaxMs,
      this.platform.random,
    );
  }

  get stats(): ProducerStats {
    return { ...this.counts, buffered: this.queue.length + (this.inFlight?.points.length ?? 0) };
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof ProducerEvents>(event: K, listener: Listener<ProducerEvents[K]>): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Queues one point of `feed` (with `labels`, a point of that series), at
   * `t` (a number, or `options.t`). Throws a {@link PulseboardError}
   * (`invalid_points`) for a point the server would refuse, so one bad point
   * never spoils a batch, and after `close()`.
   */
  push(feed: string, v: number, options?: number | PushOptions): void {
    const { t, labels } = typeof options === 'number' ? { t: options, labels: undefined } : (options ?? {});
    const point: SeriesPoint = { feed, v };
    if (t !== undefined) point.t = t;
    if (labels !== undefined) point.labels = labels;
    this.pushMany([point]);
  }

  /** Queues points, all or none (see {@link push}). */
  pushMany(points: readonly SeriesPoint[]): void {
    if (this.closing !== undefined) throw new PulseboardError('producer_closed', 'the producer is closed');
    points.forEach((point, index) => {
      const problem = pointProblem(point) ?? (point.labels === undefined ? undefined : labelsProblem(point.labels));
      if (problem !== undefined) {
        throw new PulseboardError('invalid_points', `point ${index}: ${problem}`, {
          details: [{ index, reason: problem }],
        });
      }
    });
    const now = this.platform.now();
    const overflow = this.queue.length + points.length - this.maxBufferPoints;
    let dropped = overflow > 0 ? this.queue.dropOldest(overflow) : 0;
    const kept = points.length > this.maxBufferPoints ? points.slice(points.length - this.maxBufferPoints) : points;
    dropped += points.length - kept.length;
    for (const { feed, labels, t, v } of kept) {
      // labels are copied: the caller may change its object before this point is sent
      const own = ownLabels(labels);
      const stamp = t ?? (this.clientTimestamps ? now : undefined);
      this.queue.push({
        feed,
        ...(own === undefined ? {} : { labels: own }),
        ...(stamp === undefined ? {} : { t: stamp }),
        v,
      });
    }
    if (dropped > 0) {
      this.counts.dropped += dropped;
      this.events.emit('drop', { count: dropped, reason: 'overflow' });
      this.settleWaiters();
    }
    this.pump();
  }

  /** Resolves once every point pushed before the call was delivered (or refused, or dropped). */
  flush(): Promise<void> {
    const lastSeq = this.queue.nextSeq - 1;
    if (this.oldestPending() > lastSeq) return Promise.resolve();
    return new Promise((resolve) => {
      this.flushWaiters.push({ lastSeq, resolve });
      this.pump();
    });
  }

  /**
   * Delivers what is buffered, then stops; `push()` throws from the call on.
   * With `timeoutMs`, gives up after that long: what is left is dropped
   * (counted, and reported as a `drop` with reason `close_timeout`).
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    const flushed = this.flush();
    const { timeoutMs } = options;
    const delivered =
      timeoutMs === undefined
        ? flushed
        : new Promise<void>((resolve) => {
            const timer = this.platform.setTimeout(() => {
              this.abandon();
              resolve();
            }, timeoutMs);
            void flushed.then(() => {
              this.platform.clearTimeout(timer);
              resolve();
            });
          });
    this.closing = delivered.then(() => this.stop());
    return this.closing;
  }

  /**
   * Sends a batch when one is due and none is in flight; keeps the interval
   * timer running while points wait, so points that gathered behind a slow
   * request leave as soon as it completes.
   */
  private pump(): void {
    if (this.stopped) return;
    if (this.inFlight === undefined && this.queue.length > 0) {
      const eager = this.due || this.closing !== undefined || this.flushWaiters.length > 0;
      if (eager || this.queue.length >= this.maxBatchPoints) this.send();
    }
    if (this.queue.length === 0) {
      this.due = false;
      this.clearIntervalTimer();
      return;
    }
    if (this.due) return;
    this.intervalTimer ??= this.platform.setTimeout(() => {
      this.intervalTimer = undefined;
      this.due = true;
      this.pump();
    }, this.flushIntervalMs);
  }

  private send(): void {
    const firstSeq = this.queue.headSeq;
    const points = this.queue.take(this.maxBatchPoints);
    const batch: Batch = { points, firstSeq, body: JSON.stringify({ points }), tokenRenewed: false };
    this.inFlight = batch;
    this.backoff.reset();
    void this.post(batch);
  }

  private async post(batch: Batch): Promise<void> {
    let token: string | undefined;
    try {
      token = await readToken(this.token);
    } catch (cause) {
      if (this.inFlight === batch) {
        this.retryLater(batch, new PulseboardError('token_unavailable', 'the token callback failed', { cause }));
      }
      return;
    }
    if (this.inFlight !== batch) return;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const abort = new AbortController();
    this.abort = abort;
    let res: Response;
    try {
      res = await this.platform.fetch(this.url, { method: 'POST', headers, body: batch.body, signal: abort.signal });
    } catch (error) {
      if (this.inFlight === batch) this.retryLater(batch, networkError(error));
      return;
    }
    if (this.inFlight !== batch) return;
    if (res.ok) {
      // accepted: a body that breaks off now must not make the batch go twice
      this.counts.sent += batch.points.length;
      this.finish();
      await res.text().catch(() => undefined);
      return;
    }
    const error = await errorFromResponse(res);
    if (this.inFlight !== batch) return;
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      this.retryLater(batch, error, retryAfterMs(res.headers.get('retry-after'), this.platform.now()));
      return;
    }
    if (res.status === 401 && tokenProblem(error.code) === 'stale' && this.renewToken(batch, error)) return;
    this.counts.rejected += batch.points.length;
    this.finish();
    this.events.emit('error', new RejectedBatchError(error, batch.points));
  }

  private retryLater(batch: Batch, error: PulseboardError, serverDelayMs?: number): void {
    const backoffMs = this.backoff.next();
    const delayMs = serverDelayMs ?? backoffMs;
    this.events.emit('retry', { attempt: this.backoff.attempt, delayMs, error });
    if (this.stopped || this.inFlight !== batch) return;
    this.retryTimer = this.platform.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.inFlight === batch) void this.post(batch);
    }, delayMs);
  }

  /**
   * Sends the batch again at once, the token callback being asked for a
   * fresh token, when it can still be: the token is a callback and the batch
   * was not sent again for this reason already. A refusal that follows is
   * final, as for any other 4xx, so a callback that keeps giving bad tokens
   * costs each batch one extra request. The refused request stored nothing,
   * so the batch still goes at most once.
   */
  private renewToken(batch: Batch, error: PulseboardError): boolean {
    if (typeof this.token !== 'function' || batch.tokenRenewed) return false;
    batch.tokenRenewed = true;
    this.backoff.next();
    this.events.emit('retry', { attempt: this.backoff.attempt, delayMs: 0, error });
    if (!this.stopped && this.inFlight === batch) void this.post(batch);
    return true;
  }

  /** The batch in flight is settled (sent or refused). */
  private finish(): void {
    this.inFlight = undefined;
    this.abort = undefined;
    this.settleWaiters();
    this.pump();
  }

  /** Queue number of the oldest point not yet settled. */
  private oldestPending(): number {
    return this.inFlight?.firstSeq ?? this.queue.headSeq;
  }

  private settleWaiters(): void {
    if (this.flushWaiters.length === 0) return;
    const oldest = this.oldestPending();
    const settled = this.flushWaiters.filter((waiter) => waiter.lastSeq < oldest);
    this.flushWaiters = this.flushWaiters.filter((waiter) => waiter.lastSeq >= oldest);
    for (const waiter of settled) waiter.resolve();
  }

  /** `close()` ran out of time: drop everything still pending. */
  private abandon(): void {
    const count = this.queue.length + (this.inFlight?.points.length ?? 0);
    this.stopped = true;
    this.abort?.abort();
    this.abort = undefined;
    this.inFlight = undefined;
    this.queue.dropOldest(this.queue.length);
    this.clearTimers();
    if (count > 0) {
      this.counts.dropped += count;
      this.events.emit('drop', { count, reason: 'close_timeout' });
    }
    this.settleWaiters();
  }

  private stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  private clearTimers(): void {
    this.clearIntervalTimer();
    if (this.retryTimer !== undefined) {
      this.platform.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
  }

  private clearIntervalTimer(): void {
    if (this.intervalTimer === undefined) return;
    this.platform.clearTimeout(this.intervalTimer);
    this.intervalTimer = undefined;
  }
}
