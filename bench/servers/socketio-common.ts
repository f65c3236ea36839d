import { Server } from 'socket.io';
import { startBaseline } from './common.js';

/** A point as the baselines emit it. */
export interface BaselinePoint {
  feed: string;
  t: number;
  v: number;
}

/** A batch window's points in Pulseboard's columnar shape. */
export interface BaselineBatch {
  feeds: Record<string, { t: number[]; v: number[] }>;
}

export interface BaselineClientEvents {
  subscribe: (message: unknown, ack: (answer: { ok: boolean }) => void) => void;
}

export interface BaselineServerEvents {
  point: (point: BaselinePoint) => void;
  points: (batch: BaselineBatch) => void;
}

export type BaselineIo = Server<BaselineClientEvents, BaselineServerEvents>;

/**
 * A plain Socket.IO server on the baselines' HTTP server (same ingest route,
 * same health check), default options except for compression: `--deflate`
 * turns on Socket.IO's own permessage-deflate (`perMessageDeflate: true`,
 * i.e. a 1 KB threshold and `ws`'s zlib defaults: a compressor per socket
 * with context takeover, 15-bit window, level 6, memLevel 8).
 */
export function startSocketBaseline(ingest: (points: readonly unknown[]) => number): BaselineIo {
  const http = startBaseline({ ingest });
  const io: BaselineIo = new Server(http, { perMessageDeflate: process.argv.includes('--deflate') });
  io.on('connection', (socket) => {
    // every socket gets every point; the subscribe only mirrors Pulseboard's opening exchange
    socket.on('subscribe', (_message, ack) => {
      if (typeof ack === 'function') ack({ ok: true });
    });
  });
  return io;
}
