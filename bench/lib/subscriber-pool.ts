import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { LatencyHistogram } from './histogram.js';
import { isRecord, num, serve, type Message } from './ipc.js';

/*
 * What the subscriber load generators (`load/subscribers.ts` for SSE,
 * `load/sockets.ts` for Socket.IO) share: opening N connections with a
 * bounded number awaiting their subscription at once, a parsed sample among
 * them, the latency of the sample's points, and a measurement window of
 * counters, CPU and event-loop figures. A generator brings only its wire
 * protocol: how a connection opens, proves it subscribed, and carries points.
 */

/** One connection of a load generator. */
export interface LoadSubscriber {
  /** Parsed whole, to count points and measure latency; the others only count bytes. */
  readonly sampled: boolean;
  /** It got what proves it subscribed (SSE `hello`, the `subscribe` ack). */
  ready: boolean;
  failed: boolean;
  closed: boolean;
  /** Tears the connection down at once. */
  destroy(): void;
}

/** Opens one connection; `settle` is called once it is ready or has failed. */
export type OpenSubscriber<S extends LoadSubscriber> = (sampled: boolean, settle: () => void) => S;

/** How many connections to open and how (the runner's `connect` request). */
export interface ConnectRequest {
  count: number;
  /** Connections parsed whole among them. */
  sample: number;
  /** At most this many await their subscription at once. */
  concurrency: number;
  timeoutMs: number;
}

export function connectRequest(message: Message): ConnectRequest {
  return {
    count: num(message, 'count'),
    sample: num(message, 'sample'),
    concurrency: num(message, 'concurrency'),
    timeoutMs: num(message, 'timeoutMs'),
  };
}

export class SubscriberPool<S extends LoadSubscriber> {
  readonly subscribers: S[] = [];
  /** Receive time − each sampled point's `t` (the producer's clock at send). */
  readonly histogram = new LatencyHistogram();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  /** Payload bytes of every connection. */
  bytes = 0;
  sampledBytes = 0;
  private sampledPoints = 0;
  private sampledEvents = 0;
  private malformed = 0;
  private disconnects = 0;
  private windowDisconnects = 0;
  private firstError: string | undefined;

  private windowStart = performance.now();
  /** The counters at the window's start (none before the first: they started at 0). */
  private windowTotals: Record<string, number> = {};
  private windowCpu = process.cpuUsage();
  private windowElu = performance.eventLoopUtilization();

  /** `extraTotals`: a generator's own growing counters, reported per window like the shared ones. */
  constructor(private readonly extraTotals: () => Record<string, number> = () => ({})) {
    this.loopDelay.enable();
  }

  /** The connection proved it subscribed. */
  ready(subscriber: S, settle: () => void): void {
    if (subscriber.ready) return;
    subscriber.ready = true;
    settle();
  }

  /** The connection could not subscribe: torn down, and its reason kept if it is the first. */
  fail(subscriber: S, reason: string, settle: () => void): void {
    if (subscriber.failed || subscriber.ready) return;
    subscriber.failed = true;
    this.firstError ??= reason;
    subscriber.destroy();
    settle();
  }

  /** The connection closed: a disconnect once it had subscribed, a failure before. */
  closed(subscriber: S, reason: string, settle: () => void): void {
    if (!subscriber.closed && subscriber.ready) {
      this.disconnects++;
      this.windowDisconnects++;
    }
    subscriber.closed = true;
    this.fail(subscriber, reason, settle);
  }

  /** A sampled message's JSON, or `undefined` (counted as malformed) when it does not parse. */
  parse(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.malformedMessage();
      return undefined;
    }
  }

  /** A sampled connection received something its protocol does not allow. */
  malformedMessage(): void {
    this.malformed++;
  }

  /** Records the latency of each point of `{"<name>":{"t":[...],"v":[...]}}` chunks; returns how many. */
  recordChunks(feeds: Record<string, unknown>, now: number): number {
    let points = 0;
    for (const chunk of Object.values(feeds)) {
      if (!isRecord(chunk) || !Array.isArray(chunk.t)) continue;
      for (const t of chunk.t as unknown[]) {
        if (typeof t !== 'number') continue;
        this.histogram.record(now - t);
        points++;
      }
    }
    return points;
  }

  /** Records the latency of one point (the naive servers' one event per point); returns 1. */
  recordPoint(t: number, now: number): number {
    this.histogram.record(now - t);
    return 1;
  }

  /** A sampled message carried `points` points. */
  sampledEvent(subscriber: S, points: number): void {
    if (subscriber.closed) return;
    this.sampledPoints += points;
    this.sampledEvents++;
  }

  /**
   * Opens `count` more connections, at most `concurrency` awaiting their
   * subscription at once, every `count ÷ sample`-th one sampled. `describe`
   * adds a generator's own figures about the open connections to the answer.
   */
  connect(
    { count, sample, concurrency, timeoutMs }: ConnectRequest,
    open: OpenSubscriber<S>,
    describe: (open: S[]) => Record<string, number> = () => ({}),
  ): Promise<unknown> {
    const started = performance.now();
    const sampleEvery = sample > 0 ? Math.max(1, Math.floor(count / sample)) : Infinity;
    const batch: S[] = [];
    let next = 0;
    let inFlight = 0;
    let settledCount = 0;
    let sampledOpened = 0;
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(deadline);
        const stillOpen = this.subscribers.filter((s) => !s.closed);
        resolve({
          requested: count,
          // the runner's word for a subscribed connection, whatever proved it
          helloed: batch.filter((s) => s.ready).length,
          failed: batch.filter((s) => s.failed).length,
          sampled: sampledOpened,
          open: stillOpen.length,
          ...describe(stillOpen),
          ms: performance.now() - started,
          firstError: this.firstError ?? null,
        });
      };
      const deadline = setTimeout(finish, timeoutMs);
      const pump = (): void => {
        while (inFlight < concurrency && next < count) {
          const index = next++;
          const sampled = index % sampleEvery === 0 && sampledOpened < sample;
          if (sampled) sampledOpened++;
          inFlight++;
          let settled = false;
          const settle = (): void => {
            if (settled) return;
            settled = true;
            inFlight--;
            settledCount++;
            if (settledCount === count) finish();
            else setImmediate(pump);
          };
          const subscriber = open(sampled, settle);
          batch.push(subscriber);
          this.subscribers.push(subscriber);
        }
      };
      if (count === 0) finish();
      else pump();
    });
  }

  /** Starts a measurement window. */
  reset(): unknown {
    this.windowStart = performance.now();
    this.windowTotals = this.totals();
    this.windowDisconnects = 0;
    this.windowCpu = process.cpuUsage();
    this.windowElu = performance.eventLoopUtilization();
    this.histogram.clear();
    this.loopDelay.reset();
    return { ok: true };
  }

  /** What the window measured: each counter's growth, latency, and this process's own load. */
  report(): unknown {
    const windowMs = performance.now() - this.windowStart;
    const cpu = process.cpuUsage(this.windowCpu);
    const elu = performance.eventLoopUtilization(this.windowElu);
    const grown: Record<string, number> = {};
    for (const [key, total] of Object.entries(this.totals())) grown[key] = total - (this.windowTotals[key] ?? 0);
    return {
      windowMs,
      open: this.subscribers.filter((s) => !s.closed).length,
      sampledOpen: this.subscribers.filter((s) => s.sampled && !s.closed).length,
      ...grown,
      disconnects: this.windowDisconnects,
      malformed: this.malformed,
      latency: this.histogram.summary(),
      cpuPct: ((cpu.user + cpu.system) / 1000 / windowMs) * 100,
      elu: elu.utilization,
      loopDelayP99Ms: this.loopDelay.count === 0 ? 0 : this.loopDelay.percentile(99) / 1e6,
    };
  }

  /** Answers the runner: `connect` (through `connect`), `reset`, `report`, and `close`, which ends this process. */
  serve(connect: (message: Message) => Promise<unknown>): void {
    serve({
      connect,
      reset: () => this.reset(),
      report: () => this.report(),
      close: () => {
        for (const subscriber of this.subscribers) subscriber.destroy();
        setImmediate(() => process.exit(0));
        return { ok: true, disconnects: this.disconnects };
      },
    });
  }

  /** Counters that only grow; a window reports how much each grew. */
  private totals(): Record<string, number> {
    return {
      bytes: this.bytes,
      sampledBytes: this.sampledBytes,
      sampledPoints: this.sampledPoints,
      sampledEvents: this.sampledEvents,
      ...this.extraTotals(),
    };
  }
}
