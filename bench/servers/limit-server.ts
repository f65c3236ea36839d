import type { Socket } from 'node:net';
import { asPoint, BATCH_MS, startBaseline } from './common.js';

/*
 * The floor for a batching SSE server on node:http: points are collected per
 * feed, and every batch window ONE buffer (already framed as an HTTP chunk
 * holding Pulseboard's columnar `points` event) is written to every socket.
 * No backpressure handling, no cursors, no retention, no feed filtering.
 */

const sockets = new Set<Socket>();
let pending = new Map<string, { t: number[]; v: number[] }>();

startBaseline({
  stream(_req, res) {
    const socket = res.socket;
    if (socket === null) return;
    sockets.add(socket);
    res.on('close', () => sockets.delete(socket));
  },
  ingest(points) {
    let accepted = 0;
    for (const raw of points) {
      const point = asPoint(raw);
      if (point === undefined) continue;
      let feed = pending.get(point.feed);
      if (feed === undefined) {
        feed = { t: [], v: [] };
        pending.set(point.feed, feed);
      }
      feed.t.push(point.t);
      feed.v.push(point.v);
      accepted++;
    }
    return accepted;
  },
});

setInterval(() => {
  if (pending.size === 0) return;
  let body = '';
  for (const [name, feed] of pending) {
    body += `${body === '' ? '' : ','}"${name}":{"t":[${feed.t.join(',')}],"v":[${feed.v.join(',')}]}`;
  }
  pending = new Map();
  const event = `event: points\ndata: {"feeds":{${body}}}\n\n`;
  // framed here so that each socket gets exactly one write of a shared buffer
  const frame = Buffer.from(`${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`);
  for (const socket of sockets) socket.write(frame);
}, BATCH_MS);
