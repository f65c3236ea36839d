import type { CloseReason, Delivery, DeliverySink } from '../connection.js';
import { sseGap, ssePoints } from '../sse-encoding.js';

/**
 * Records what the scheduler hands it; `writable` plays the socket's drain
 * state. It answers each write with the bytes an SSE stream would write.
 */
export class RecordingSink implements DeliverySink {
  writable = true;
  readonly deliveries: Delivery[] = [];
  heartbeats = 0;
  closed: CloseReason | undefined;

  constructor(readonly transport = 'test') {}

  isWritable(): boolean {
    return this.writable;
  }

  send(delivery: Delivery): number {
    this.deliveries.push(delivery);
    const gap = delivery.gap === undefined ? 0 : Buffer.byteLength(sseGap(delivery.gap));
    return gap + (delivery.frame === undefined ? 0 : ssePoints(delivery.frame).length);
  }

  heartbeat(): void {
    this.heartbeats++;
  }

  close(reason: CloseReason): void {
    this.closed = reason;
  }

  /** Every value received for a feed, in order. */
  values(feed: string): number[] {
    return this.deliveries.flatMap(
      (d) => d.frame?.slices.filter((s) => s.feed.name === feed).flatMap((s) => [...s.v]) ?? [],
    );
  }

  gaps(): { feeds: string[]; reason: string }[] {
    return this.deliveries.flatMap((d) => (d.gap === undefined ? [] : [d.gap]));
  }

  lastCursor(): string {
    return this.deliveries[this.deliveries.length - 1].cursor;
  }
}
