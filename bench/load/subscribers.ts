import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../lib/histogram.js';
import { isRecord, num, serve, str } from '../lib/ipc.js';
import { SseResponseParser, type SseEvent } from '../lib/sse-stream.js';

/*
 * N SSE subscribers on raw TCP. Most connections only count bytes (reading
 * into one shared buffer, so a read allocates nothing); a sample of them is
 * parsed whole to count points and measure latency (receive time − the
 * point's `t`, which the producer set to its clock at send). Delivered
 * points are then total bytes ÷ the sample's bytes per point.
 */

const HOST = '127.0.0.1';
const HELLO = 'event: hello';

class Subscriber {
  socket!: Socket;
  /** Start of the response while the hello is still awaited (counting connections only). */
  prefix = '';
  helloed = false;
  failed = false;
  closed = false;

  constructor(readonly sampled: boolean) {}
}

const subscribers: Subscriber[] = [];
const histogram = new LatencyHistogram();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

let totalBytes = 0;
let sampledBytes = 0;
let sampledPoints = 0;
let sampledEvents = 0;
let malformed = 0;
let disconnects = 0;
let firstError: string | undefined;

let windowStart = performance.now();
let windowBytes = 0;
let windowSampledBytes = 0;
let windowSampledPoints = 0;
let windowSampledEvents = 0;
let windowDisconnects = 0;
let windowCpu = process.cpuUsage();
let windowElu = performance.eventLoopUtilization();

const shared = Buffer.allocUnsafe(256 * 1024);

function onHello(subscriber: Subscriber, settle: () => void): void {
  if (subscriber.helloed) return;
  subscriber.helloed = true;
  subscriber.prefix = '';
  settle();
}

function fail(subscriber: Subscriber, reason: string, settle: () => void): void {
  if (subscriber.failed || subscriber.helloed) return;
  subscriber.failed = true;
  firstError ??= reason;
  subscriber.socket.destroy();
  settle();
}

function countPoints(subscriber: Subscriber, event: SseEvent, now: number): void {
  if (event.event === 'hello' || event.event === 'gap' || event.event === 'error') return;
  let decoded: unknown;
  try {
    decoded = JSON.parse(event.data);
  } catch {
    malformed++;
    return;
  }
  if (!isRecord(decoded)) return;
  let points = 0;
  if (isRecord(decoded.feeds)) {
    // Pulseboard / limit: {"feeds":{"<name>":{"t":[...],"v":[...]}}}
    for (const chunk of Object.values(decoded.feeds)) {
      if (!isRecord(chunk) || !Array.isArray(chunk.t)) continue;
      for (const t of chunk.t as unknown[]) {
        if (typeof t !== 'number') continue;
        histogram.record(now - t);
        points++;
      }
    }
  } else if (typeof decoded.t === 'number') {
    // naive: one point per event
    histogram.record(now - decoded.t);
    points = 1;
  }
  if (!subscriber.closed) {
    sampledPoints += points;
    sampledEvents++;
  }
}

function open(port: number, path: string, sampled: boolean, settle: () => void): Subscriber {
  const request = `GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nAccept: text/event-stream\r\n\r\n`;
  const subscriber = new Subscriber(sampled);
  let socket: Socket;
  if (sampled) {
    socket = connect({ host: HOST, port });
    const parser = new SseResponseParser(
      (event) => {
        if (event.event === 'hello') onHello(subscriber, settle);
        else countPoints(subscriber, event, Date.now());
      },
      (status) => {
        if (status !== 200) fail(subscriber, `HTTP ${status}`, settle);
      },
    );
    socket.on('data', (chunk: Buffer) => {
      totalBytes += chunk.length;
      sampledBytes += chunk.length;
      try {
        parser.push(chunk);
      } catch (error) {
        malformed++;
        fail(subscriber, String(error), settle);
      }
    });
  } else {
    socket = connect({
      host: HOST,
      port,
      onread: {
        buffer: shared,
        callback: (n: number) => {
          totalBytes += n;
          if (!subscriber.helloed) {
            subscriber.prefix += shared.toString('latin1', 0, n);
            if (!subscriber.prefix.startsWith('HTTP/1.1 200') && subscriber.prefix.length >= 12) {
              fail(subscriber, `HTTP ${subscriber.prefix.slice(9, 12)}`, settle);
            } else if (subscriber.prefix.includes(HELLO)) onHello(subscriber, settle);
          }
          return true;
        },
      },
    });
  }
  subscriber.socket = socket;
  socket.setNoDelay(true);
  socket.on('connect', () => socket.write(request));
  socket.on('error', (error) => fail(subscriber, error.message, settle));
  socket.on('close', () => {
    if (!subscriber.closed && subscriber.helloed) {
      disconnects++;
      windowDisconnects++;
    }
    subscriber.closed = true;
    fail(subscriber, 'closed before hello', settle);
  });
  return subscriber;
}

/** Opens `count` more subscribers, at most `concurrency` awaiting their hello at once. */
function connectMany(
  port: number,
  path: string,
  count: number,
  sample: number,
  concurrency: number,
  timeoutMs: number,
): Promise<unknown> {
  const started = performance.now();
  const sampleEvery = sample > 0 ? Math.max(1, Math.floor(count / sample)) : Infinity;
  const batch: Subscriber[] = [];
  let next = 0;
  let inFlight = 0;
  let settledCount = 0;
  let sampledOpened = 0;
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(deadline);
      resolve({
        requested: count,
        helloed: batch.filter((s) => s.helloed).length,
        failed: batch.filter((s) => s.failed).length,
        sampled: sampledOpened,
        open: subscribers.filter((s) => !s.closed).length,
        ms: performance.now() - started,
        firstError: firstError ?? null,
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
        const subscriber = open(port, path, sampled, settle);
        batch.push(subscriber);
        subscribers.push(subscriber);
      }
    };
    if (count === 0) finish();
    else pump();
  });
}

function reset(): unknown {
  windowStart = performance.now();
  windowBytes = totalBytes;
  windowSampledBytes = sampledBytes;
  windowSampledPoints = sampledPoints;
  windowSampledEvents = sampledEvents;
  windowDisconnects = 0;
  windowCpu = process.cpuUsage();
  windowElu = performance.eventLoopUtilization();
  histogram.clear();
  loopDelay.reset();
  return { ok: true };
}

function report(): unknown {
  const windowMs = performance.now() - windowStart;
  const cpu = process.cpuUsage(windowCpu);
  const elu = performance.eventLoopUtilization(windowElu);
  return {
    windowMs,
    open: subscribers.filter((s) => !s.closed).length,
    sampledOpen: subscribers.filter((s) => s.sampled && !s.closed).length,
    bytes: totalBytes - windowBytes,
    sampledBytes: sampledBytes - windowSampledBytes,
    sampledPoints: sampledPoints - windowSampledPoints,
    sampledEvents: sampledEvents - windowSampledEvents,
    disconnects: windowDisconnects,
    malformed,
    latency: histogram.summary(),
    cpuPct: ((cpu.user + cpu.system) / 1000 / windowMs) * 100,
    elu: elu.utilization,
    loopDelayP99Ms: loopDelay.count === 0 ? 0 : loopDelay.percentile(99) / 1e6,
  };
}

serve({
  connect: (m) =>
    connectMany(
      num(m, 'port'),
      str(m, 'path'),
      num(m, 'count'),
      num(m, 'sample'),
      num(m, 'concurrency'),
      num(m, 'timeoutMs'),
    ),
  reset,
  report,
  close: () => {
    for (const subscriber of subscribers) subscriber.socket.destroy();
    setImmediate(() => process.exit(0));
    return { ok: true, disconnects };
  },
});
