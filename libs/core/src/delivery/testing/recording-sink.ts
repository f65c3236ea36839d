import type { CloseReason, Delivery, DeliverySink } from '../connection.js';

/**
 * The bytes a recording sink says it wrote for a delivery: its gap's and its
 * frame's JSON (the engine's own encoding; each transport frames it its way).
 */
export function recordedBytes(delivery: Delivery): number {
  const gap = delivery.gap === undefined ? 0 : Buffer.byteLength(JSON.stringify(delivery.gap));
  return gap + (delivery.frame === undefined ? 0 : Buffer.byteLength(delivery.frame.json()));
}

/**
 * Records what the scheduler hands it; `writable` plays the socket's drain
 * state. It answers each write with {@link recordedBytes}.
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
    return recordedBytes(delivery);
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
      (d) => d.frame?.slices.filter((s) => s.feed.key === feed).flatMap((s) => [...s.v]) ?? [],
    );
  }

  gaps(): { feeds: string[]; reason: string }[] {
    return this.deliveries.flatMap((d) => (d.gap === undefined ? [] : [d.gap]));
  }

  lastCursor(): string {
    return this.deliveries[this.deliveries.length - 1].cursor;
  }
}
