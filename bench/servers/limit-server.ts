import type { Socket } from 'node:net';
import { BATCH_MS, PointBatch, startBaseline } from './common.js';

/*
 * The floor for a batching SSE server on node:http: points are collected per
 * feed, and every batch window ONE buffer (already framed as an HTTP chunk
 * holding Pulseboard's columnar `points` event) is written to every socket.
 * No backpressure handling, no cursors, no retention, no feed filtering.
 */

const sockets = new Set<Socket>();
const pending = new PointBatch();

startBaseline({
  stream(_req, res) {
    const socket = res.socket;
    if (socket === null) return;
    sockets.add(socket);
    res.on('close', () => sockets.delete(socket));
  },
  ingest: (points) => pending.add(points),
});

setInterval(() => {
  if (pending.feeds.size === 0) return;
  let body = '';
  for (const [name, feed] of pending.take()) {
    body += `${body === '' ? '' : ','}"${name}":{"t":[${feed.t.join(',')}],"v":[${feed.v.join(',')}]}`;
  }
  const event = `event: points\ndata: {"feeds":{${body}}}\n\n`;
  // framed here so that each socket gets exactly one write of a shared buffer
  const frame = Buffer.from(`${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`);
  for (const socket of sockets) socket.write(frame);
}, BATCH_MS);
