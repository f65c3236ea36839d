import { BATCH_MS, PointBatch } from './common.js';
import { startSocketBaseline } from './socketio-common.js';

/*
 * A plain Socket.IO server that batches: points are collected per feed and
 * every batch window ONE `io.emit('points', batch)` goes to every socket.
 * Socket.IO encodes the packet once; with `--deflate`, `ws` then compresses
 * it separately for every socket, in that socket's own zlib context. That
 * is the design the Pulseboard gateway's shared compressed frames replace.
 */

const pending = new PointBatch();
const io = startSocketBaseline((points) => pending.add(points));

setInterval(() => {
  if (pending.feeds.size === 0) return;
  io.emit('points', { feeds: Object.fromEntries(pending.take()) });
}, BATCH_MS);
