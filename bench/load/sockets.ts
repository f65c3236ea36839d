import type { Socket as NetSocket } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';
import { LatencyHistogram } from '../lib/histogram.js';
import { isRecord, num, serve } from '../lib/ipc.js';
import { inflateSynchronously, type DeflateExtension } from './sync-inflate.js';

/*
 * N Socket.IO subscribers on raw `ws` WebSockets, speaking engine.io v4 and
 * Socket.IO packets by hand: a socket.io-client per connection would make
 * this process, not the server, the bottleneck. Each socket connects,
 * subscribes to `bench.>` with an ack and answers pings. Every message counts
 * its payload (inflated, as the application sees it) and the TCP bytes under
 * it (see `sync-inflate.ts` for how messages are inflated); a sample of
 * sockets is parsed whole to count points and measure latency
 * (receive time − the point's `t`, which the producer set to its clock at
 * send). Delivered points are then total payload ÷ the sample's payload per
 * point: every socket gets the same packets, however each was compressed.
 */

const HOST = '127.0.0.1';
const PATH = '/socket.io/?EIO=4&transport=websocket';
/** Socket.IO event with ack id 0 on the main namespace. */
const SUBSCRIBE = '420["subscribe",{"feeds":["bench.>"]}]';
/** engine.io ping (`2`) and pong (`3`). */
const PING = 0x32;
const PONG = '3';
/** `4` (engine.io message) `2` (Socket.IO event). */
const EVENT = [0x34, 0x32] as const;

/** Where `ws` keeps the TCP socket under a WebSocket (its `bytesRead` is the wire figure) and the negotiated extensions. */
interface WebSocketInternals {
  _socket: NetSocket | null;
  _extensions: Record<string, DeflateExtension | undefined>;
}

class Subscriber {
  ws!: WebSocket;
  tcp: NetSocket | undefined;
  subscribed = false;
  failed = false;
  closed = false;

  constructor(readonly sampled: boolean) {}
}

const subscribers: Subscriber[] = [];
const histogram = new LatencyHistogram();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

let payloadBytes = 0;
let messages = 0;
let sampledBytes = 0;
let sampledPoints = 0;
let sampledEvents = 0;
let malformed = 0;
let disconnects = 0;
let firstError: string | undefined;

let windowStart = performance.now();
let windowPayload = 0;
let windowWire = 0;
let windowMessages = 0;
let windowSampledBytes = 0;
let windowSampledPoints = 0;
let windowSampledEvents = 0;
let windowDisconnects = 0;
let windowCpu = process.cpuUsage();
let windowElu = performance.eventLoopUtilization();

function wireBytes(): number {
  let total = 0;
  for (const subscriber of subscribers) total += subscriber.tcp?.bytesRead ?? 0;
  return total;
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function fail(subscriber: Subscriber, reason: string, settle: () => void): void {
  if (subscriber.failed || subscriber.subscribed) return;
  subscriber.failed = true;
  firstError ??= reason;
  subscriber.ws.terminate();
  settle();
}

/** The opening exchange: engine.io open → Socket.IO connect → `subscribe` → its ack. */
function handshake(subscriber: Subscriber, text: string, settle: () => void): void {
  const { ws } = subscriber;
  if (text.startsWith('0{')) ws.send('40');
  else if (text.startsWith('40')) ws.send(SUBSCRIBE);
  else if (text.startsWith('44')) fail(subscriber, `connect refused: ${text.slice(2, 200)}`, settle);
  else if (text.startsWith('430')) {
    let ack: unknown;
    try {
      ack = (JSON.parse(text.slice(3)) as unknown[])[0];
    } catch {
      ack = undefined;
    }
    if (isRecord(ack) && ack.ok === true) {
      subscriber.subscribed = true;
      settle();
    } else fail(subscriber, `subscribe refused: ${text.slice(3, 200)}`, settle);
  }
}

function countPoints(subscriber: Subscriber, data: Buffer, now: number): void {
  if (data[0] !== EVENT[0] || data[1] !== EVENT[1]) return;
  let decoded: unknown;
  try {
    decoded = JSON.parse(data.toString('utf8', 2));
  } catch {
    malformed++;
    return;
  }
  if (!Array.isArray(decoded)) return;
  const [event, body] = decoded as unknown[];
  if (!isRecord(body)) return;
  let points = 0;
  if (event === 'points' && isRecord(body.feeds)) {
    // Pulseboard / batching: {"cursor"?,"feeds":{"<name>":{"t":[...],"v":[...]}}}
    for (const chunk of Object.values(body.feeds)) {
      if (!isRecord(chunk) || !Array.isArray(chunk.t)) continue;
      for (const t of chunk.t as unknown[]) {
        if (typeof t !== 'number') continue;
        histogram.record(now - t);
        points++;
      }
    }
  } else if (event === 'point' && typeof body.t === 'number') {
    // naive: one point per event
    histogram.record(now - body.t);
    points = 1;
  }
  if (!subscriber.closed) {
    sampledPoints += points;
    sampledEvents++;
  }
}

function open(port: number, deflate: boolean, sampled: boolean, timeoutMs: number, settle: () => void): Subscriber {
  const subscriber = new Subscriber(sampled);
  const ws = new WebSocket(`ws://${HOST}:${port}${PATH}`, {
    perMessageDeflate: deflate,
    skipUTF8Validation: true,
    handshakeTimeout: timeoutMs,
  });
  subscriber.ws = ws;
  ws.on('open', () => {
    const internals = ws as unknown as WebSocketInternals;
    subscriber.tcp = internals._socket ?? undefined;
    subscriber.tcp?.setNoDelay(true);
    inflateSynchronously(internals._extensions['permessage-deflate']);
  });
  ws.on('message', (raw: RawData) => {
    const data = asBuffer(raw);
    payloadBytes += data.length;
    messages++;
    if (sampled) sampledBytes += data.length;
    if (data.length === 1 && data[0] === PING) ws.send(PONG);
    else if (!subscriber.subscribed) handshake(subscriber, data.toString('utf8'), settle);
    else if (sampled) countPoints(subscriber, data, Date.now());
  });
  ws.on('error', (error) => fail(subscriber, error.message, settle));
  ws.on('close', () => {
    if (!subscriber.closed && subscriber.subscribed) {
      disconnects++;
      windowDisconnects++;
    }
    subscriber.closed = true;
    fail(subscriber, 'closed before the subscribe ack', settle);
  });
  return subscriber;
}

/** Opens `count` more sockets, at most `concurrency` awaiting their subscribe ack at once. */
function connectMany(
  port: number,
  deflate: boolean,
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
      const open = subscribers.filter((s) => !s.closed);
      resolve({
        requested: count,
        // named like the SSE worker's answer, so that the runner reads both alike
        helloed: batch.filter((s) => s.subscribed).length,
        failed: batch.filter((s) => s.failed).length,
        sampled: sampledOpened,
        open: open.length,
        deflate: open.filter((s) => s.ws.extensions.includes('permessage-deflate')).length,
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
        const subscriber = open(port, deflate, sampled, timeoutMs, settle);
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
  windowPayload = payloadBytes;
  windowWire = wireBytes();
  windowMessages = messages;
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
    bytes: payloadBytes - windowPayload,
    wireBytes: wireBytes() - windowWire,
    messages: messages - windowMessages,
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
      m.deflate === true,
      num(m, 'count'),
      num(m, 'sample'),
      num(m, 'concurrency'),
      num(m, 'timeoutMs'),
    ),
  reset,
  report,
  close: () => {
    for (const subscriber of subscribers) subscriber.ws.terminate();
    setImmediate(() => process.exit(0));
    return { ok: true, disconnects };
  },
});
