import type { ServerResponse } from 'node:http';
import { asPoint, startBaseline } from './common.js';

/*
 * The SSE pattern most tutorials show: keep the responses in a set and, for
 * every point that comes in, write it to every client as its own event,
 * serialised for each client. No batching, no backpressure handling.
 */

const clients = new Set<ServerResponse>();

startBaseline({
  stream(_req, res) {
    clients.add(res);
    res.on('close', () => clients.delete(res));
  },
  ingest(points) {
    let accepted = 0;
    for (const raw of points) {
      const point = asPoint(raw);
      if (point === undefined) continue;
      accepted++;
      for (const res of clients) res.write('data: ' + JSON.stringify(point) + '\n\n');
    }
    return accepted;
  },
});
