import type { SeriesPoint } from './producer-options.js';

/**
 * A FIFO of points, numbered in push order. Taking from the head and
 * dropping the oldest are O(1) amortised: the head index moves, and the
 * array is compacted once the consumed part outweighs the rest.
 */
export class PointQueue {
  private items: SeriesPoint[] = [];
  private head = 0;
  private pushed = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Number of the oldest queued point (the next one to be pushed when empty). */
  get headSeq(): number {
    return this.pushed - this.length;
  }

  /** Number the next pushed point will get. */
  get nextSeq(): number {
    return this.pushed;
  }

  push(point: SeriesPoint): void {
    this.items.push(point);
    this.pushed++;
  }

  /** Removes and returns up to `count` points from the head. */
  take(count: number): SeriesPoint[] {
    const taken = this.items.slice(this.head, this.head + count);
    this.advance(taken.length);
    return taken;
  }

  /** Forgets up to `count` of the oldest points; returns how many went. */
  dropOldest(count: number): number {
    const dropped = Math.min(count, this.length);
    this.advance(dropped);
    return dropped;
  }

  private advance(count: number): void {
    this.head += count;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
