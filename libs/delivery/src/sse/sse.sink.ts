import type { ServerResponse } from 'node:http';
import {
  SSE_HEARTBEAT,
  sseError,
  sseGap,
  ssePoints,
  type CloseReason,
  type Delivery,
  type DeliverySink,
} from '@pulseboard/core';

/**
 * An SSE response as a delivery target. Writes go straight to the response;
 * the scheduler asks `isWritable()` first and skips the connection while the
 * socket is not draining, so at most one frame waits in Node's buffer.
 */
export class SseSink implements DeliverySink {
  readonly transport = 'sse';

  constructor(private readonly res: ServerResponse) {}

  isWritable(): boolean {
    return !this.res.writableNeedDrain && !this.res.writableEnded && !this.res.destroyed;
  }

  send(delivery: Delivery): void {
    if (delivery.gap !== undefined) this.res.write(sseGap(delivery.gap));
    if (delivery.frame !== undefined) this.res.write(ssePoints(delivery.frame));
  }

  heartbeat(): void {
    this.res.write(SSE_HEARTBEAT);
  }

  close(reason: CloseReason): void {
    switch (reason) {
      case 'slow':
        // its socket has not drained for the whole timeout: nothing more can reach it
        this.res.destroy();
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
