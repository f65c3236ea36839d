import type { Socket as NetSocket } from 'node:net';
import { WebSocket, type RawData } from 'ws';
import { isRecord, num } from '../lib/ipc.js';
import { connectRequest, SubscriberPool, type LoadSubscriber } from '../lib/subscriber-pool.js';
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

class Subscriber implements LoadSubscriber {
  ws!: WebSocket;
  tcp: NetSocket | undefined;
  /** The `subscribe` ack came. */
  ready = false;
  failed = false;
  closed = false;

  constructor(readonly sampled: boolean) {}

  destroy(): void {
    this.ws.terminate();
  }
}

let messages = 0;
const pool = new SubscriberPool<Subscriber>(() => ({ wireBytes: wireBytes(), messages }));

function wireBytes(): number {
  let total = 0;
  for (const subscriber of pool.subscribers) total += subscriber.tcp?.bytesRead ?? 0;
  return total;
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** The opening exchange: engine.io open → Socket.IO connect → `subscribe` → its ack. */
function handshake(subscriber: Subscriber, text: string, settle: () => void): void {
  const { ws } = subscriber;
  if (text.startsWith('0{')) ws.send('40');
  else if (text.startsWith('40')) ws.send(SUBSCRIBE);
  else if (text.startsWith('44')) pool.fail(subscriber, `connect refused: ${text.slice(2, 200)}`, settle);
  else if (text.startsWith('430')) {
    let ack: unknown;
    try {
      ack = (JSON.parse(text.slice(3)) as unknown[])[0];
    } catch {
      ack = undefined;
    }
    if (isRecord(ack) && ack.ok === true) pool.ready(subscriber, settle);
    else pool.fail(subscriber, `subscribe refused: ${text.slice(3, 200)}`, settle);
  }
}

function countPoints(subscriber: Subscriber, data: Buffer, now: number): void {
  if (data[0] !== EVENT[0] || data[1] !== EVENT[1]) return;
  const decoded = pool.parse(data.toString('utf8', 2));
  if (!Array.isArray(decoded)) return;
  const [event, body] = decoded as unknown[];
  if (!isRecord(body)) return;
  let points = 0;
  // Pulseboard / batching: {"cursor"?,"feeds":{"<name>":{"t":[...],"v":[...]}}}
  if (event === 'points' && isRecord(body.feeds)) points = pool.recordChunks(body.feeds, now);
  // naive: one point per event
  else if (event === 'point' && typeof body.t === 'number') points = pool.recordPoint(body.t, now);
  pool.sampledEvent(subscriber, points);
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
    pool.bytes += data.length;
    messages++;
    if (sampled) pool.sampledBytes += data.length;
    if (data.length === 1 && data[0] === PING) ws.send(PONG);
    else if (!subscriber.ready) handshake(subscriber, data.toString('utf8'), settle);
    else if (sampled) countPoints(subscriber, data, Date.now());
  });
  ws.on('error', (error) => pool.fail(subscriber, error.message, settle));
  ws.on('close', () => pool.closed(subscriber, 'closed before the subscribe ack', settle));
  return subscriber;
}

pool.serve((m) => {
  const request = connectRequest(m);
  return pool.connect(
    request,
    (sampled, settle) => open(num(m, 'port'), m.deflate === true, sampled, request.timeoutMs, settle),
    (open) => ({ deflate: open.filter((s) => s.ws.extensions.includes('permessage-deflate')).length }),
  );
});
