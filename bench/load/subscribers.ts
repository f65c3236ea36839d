import { connect, type Socket } from 'node:net';
import { isRecord, num, str } from '../lib/ipc.js';
import { SseResponseParser, type SseEvent } from '../lib/sse-stream.js';
import { connectRequest, SubscriberPool, type LoadSubscriber } from '../lib/subscriber-pool.js';

/*
 * N SSE subscribers on raw TCP. Most connections only count bytes (reading
 * into one shared buffer, so a read allocates nothing); a sample of them is
 * parsed whole to count points and measure latency (receive time − the
 * point's `t`, which the producer set to its clock at send). Delivered
 * points are then total bytes ÷ the sample's bytes per point.
 */

const HOST = '127.0.0.1';
const HELLO = 'event: hello';

class Subscriber implements LoadSubscriber {
  socket!: Socket;
  /** Start of the response while the hello is still awaited (counting connections only). */
  prefix = '';
  ready = false;
  failed = false;
  closed = false;

  constructor(readonly sampled: boolean) {}

  destroy(): void {
    this.socket.destroy();
  }
}

const pool = new SubscriberPool<Subscriber>();
const shared = Buffer.allocUnsafe(256 * 1024);

function onHello(subscriber: Subscriber, settle: () => void): void {
  subscriber.prefix = '';
  pool.ready(subscriber, settle);
}

function countPoints(subscriber: Subscriber, event: SseEvent, now: number): void {
  if (event.event === 'hello' || event.event === 'gap' || event.event === 'error') return;
  const decoded = pool.parse(event.data);
  if (!isRecord(decoded)) return;
  let points = 0;
  // Pulseboard / limit: {"feeds":{"<name>":{"t":[...],"v":[...]}}}
  if (isRecord(decoded.feeds)) points = pool.recordChunks(decoded.feeds, now);
  // naive: one point per event
  else if (typeof decoded.t === 'number') points = pool.recordPoint(decoded.t, now);
  pool.sampledEvent(subscriber, points);
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
        if (status !== 200) pool.fail(subscriber, `HTTP ${status}`, settle);
      },
    );
    socket.on('data', (chunk: Buffer) => {
      pool.bytes += chunk.length;
      pool.sampledBytes += chunk.length;
      try {
        parser.push(chunk);
      } catch (error) {
        pool.malformedMessage();
        pool.fail(subscriber, String(error), settle);
      }
    });
  } else {
    socket = connect({
      host: HOST,
      port,
      onread: {
        buffer: shared,
        callback: (n: number) => {
          pool.bytes += n;
          if (!subscriber.ready) {
            subscriber.prefix += shared.toString('latin1', 0, n);
            if (!subscriber.prefix.startsWith('HTTP/1.1 200') && subscriber.prefix.length >= 12) {
              pool.fail(subscriber, `HTTP ${subscriber.prefix.slice(9, 12)}`, settle);
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
  socket.on('error', (error) => pool.fail(subscriber, error.message, settle));
  socket.on('close', () => pool.closed(subscriber, 'closed before hello', settle));
  return subscriber;
}

pool.serve((m) =>
  pool.connect(connectRequest(m), (sampled, settle) => open(num(m, 'port'), str(m, 'path'), sampled, settle)),
);
