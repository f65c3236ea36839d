import type { CloseReason, Delivery, DeliverySink } from '../connection.js';

/** Records what the scheduler hands it; `writable` plays the socket's drain state. */
export class RecordingSink implements DeliverySink {
  readonly transport = 'test';
  writable = true;
  readonly deliveries: Delivery[] = [];
  heartbeats = 0;
  closed: CloseReason | undefined;

  isWritable(): boolean {
    return this.writable;
  }

  send(delivery: Delivery): void {
    this.deliveries.push(delivery);
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
