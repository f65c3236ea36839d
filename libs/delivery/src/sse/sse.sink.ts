import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { CloseReason, Delivery, DeliverySink } from '@pulseboard/core';
import { SSE_HEARTBEAT, sseError, sseGap, ssePoints } from './sse-encoding.js';

/** The head of every SSE response. */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
} as const;

/**
 * An SSE response as a delivery target. The response body is not chunked (it
 * ends when the connection does), so the shared buffer of a frame goes to the
 * socket as it is: one write per connection, no per-connection framing. The
 * scheduler asks `isWritable()` first and skips the connection while its
 * socket is not draining, so at most one frame waits in Node's buffer.
 */
export class SseSink implements DeliverySink {
  readonly transport = 'sse';

  constructor(
    private readonly res: ServerResponse,
    private readonly socket: Socket,
  ) {}

  /**
   * Sends the response head for an SSE body delimited by the end of the
   * connection, then the opening events. Must be called before any delivery.
   */
  static open(res: ServerResponse, opening: string): SseSink {
    const socket = res.socket;
    if (socket === null) throw new Error('the response has no socket');
    res.useChunkedEncodingByDefault = false;
    res.writeHead(200, SSE_HEADERS);
    socket.setNoDelay(true);
    res.write(opening);
    return new SseSink(res, socket);
  }

  isWritable(): boolean {
    return !this.socket.writableNeedDrain && !this.socket.destroyed;
  }

  send(delivery: Delivery): number {
    let bytes = 0;
    if (delivery.gap !== undefined) {
      const gap = sseGap(delivery.gap);
      this.socket.write(gap);
      bytes += Buffer.byteLength(gap);
    }
    if (delivery.frame !== undefined) {
      const points = ssePoints(delivery.frame);
      this.socket.write(points);
      bytes += points.length;
    }
    return bytes;
  }

  heartbeat(): void {
    this.socket.write(SSE_HEARTBEAT);
  }

  close(reason: CloseReason): void {
    switch (reason) {
      case 'slow':
      case 'error':
        // nothing more can reach it (its socket has not drained for the whole timeout, or broke)
        this.socket.destroy();
        return;
      case 'expired':
        this.res.end(
          sseError({ code: 'token_expired', message: 'the stream token expired; reconnect with a new one' }),
        );
        return;
      case 'shutdown':
        // a normal end makes EventSource reconnect (to another instance, or to this one when it is back)
        this.res.end();
        return;
    }
  }
}
