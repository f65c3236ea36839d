import { asPoint } from './common.js';
import { startSocketBaseline } from './socketio-common.js';

/*
 * The Socket.IO pattern the tutorials show: for every point that comes in,
 * `io.emit` it to every socket as its own event. Socket.IO encodes each
 * packet once, then writes a WebSocket message per socket per point. No
 * batching, no backpressure handling.
 */

const io = startSocketBaseline((points) => {
  let accepted = 0;
  for (const raw of points) {
    const point = asPoint(raw);
    if (point === undefined) continue;
    accepted++;
    io.emit('point', point);
  }
  return accepted;
});
