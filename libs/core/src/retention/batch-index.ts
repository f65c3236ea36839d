import { ColumnRing } from './column-ring.js';

const MIN_CAPACITY = 1024;
/** Column numbers: log position, arrival time, running point count. */
const POSITION = 0;
const ARRIVED = 1;
const CUMULATIVE = 2;

/**
 * One entry per logged batch still in retention: its position, arrival time
 * and the running count of points up to it. It answers "which positions are
 * older than the retention window" and "how far can a frame reach without
 * carrying more than N points" without touching the feeds.
 */
export class BatchIndex {
  private readonly ring = new ColumnRing(3, MIN_CAPACITY);
  /** Points counted before the oldest entry (entries that were dropped). */
  private droppedPoints = 0;
  private total = 0;

  get size(): number {
    return this.ring.size;
  }

  get bytes(): number {
    return this.ring.bytes;
  }

  /** Position of the oldest indexed batch, or `undefined`. */
  get oldestPosition(): number | undefined {
    return this.ring.size === 0 ? undefined : this.value(POSITION, 0);
  }

  push(position: number, arrivedAt: number, points: number): void {
    const ring = this.ring;
    if (ring.size === ring.capacity) ring.resize(ring.capacity * 2);
    // keep arrival times non-decreasing even if the wall clock steps back
    const previous = ring.size === 0 ? -Infinity : this.value(ARRIVED, ring.size - 1);
    this.total += points;
    const i = ring.append();
    ring.set(i, POSITION, position);
    ring.set(i, ARRIVED, Math.max(arrivedAt, previous));
    ring.set(i, CUMULATIVE, this.total);
  }

  /** Drops entries at or before `position`. */
  dropThrough(position: number): void {
    const ring = this.ring;
    while (ring.size > 0 && this.value(POSITION, 0) <= position) {
      this.droppedPoints = this.value(CUMULATIVE, 0);
      ring.dropOldest();
    }
    ring.shrink(MIN_CAPACITY);
  }

  /** Position of the newest batch that arrived at or before `time`, or `undefined`. */
  lastArrivedBy(time: number): number | undefined {
    const n = this.ring.upperBound(ARRIVED, time);
    return n === 0 ? undefined : this.value(POSITION, n - 1);
  }

  /**
   * The furthest batch position `p <= head` such that the batches in
   * `(after, p]` hold at most `maxPoints` points — but always at least the
   * first batch after `after`, so progress is made whatever its size.
   */
  reachWithin(after: number, head: number, maxPoints: number): number {
    const first = this.ring.upperBound(POSITION, after);
    if (first >= this.ring.size) return head;
    const base = this.cumulativeBefore(first);
    let lo = first + 1;
    let hi = this.ring.upperBound(POSITION, head);
    if (hi <= first) return head;
    // largest n in [first+1, hi] with cumulative[n-1] - base <= maxPoints
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.value(CUMULATIVE, mid - 1) - base <= maxPoints) lo = mid;
      else hi = mid - 1;
    }
    return this.value(POSITION, lo - 1);
  }

  /** Arrival time of the first batch after `after` (or of the oldest indexed batch). */
  arrivalAfter(after: number): number | undefined {
    const i = this.ring.upperBound(POSITION, after);
    return i >= this.ring.size ? undefined : this.value(ARRIVED, i);
  }

  /** Arrival time of the newest batch at or before `position`. */
  arrivalAt(position: number): number | undefined {
    const n = this.ring.upperBound(POSITION, position);
    return n === 0 ? undefined : this.value(ARRIVED, n - 1);
  }

  /** Calls `visit` with the arrival time of each indexed batch in `(after, through]`, oldest first. */
  eachArrival(after: number, through: number, visit: (arrivedAt: number) => void): void {
    const end = this.ring.upperBound(POSITION, through);
    for (let i = this.ring.upperBound(POSITION, after); i < end; i++) visit(this.value(ARRIVED, i));
  }

  /** Position of the `n`-th oldest indexed batch (0 = oldest), or `undefined`. */
  positionOfOldest(n: number): number | undefined {
    return n < 0 || n >= this.ring.size ? undefined : this.value(POSITION, n);
  }

  /** Points counted before logical entry `row`. */
  private cumulativeBefore(row: number): number {
    return row === 0 ? this.droppedPoints : this.value(CUMULATIVE, row - 1);
  }

  private value(column: number, row: number): number {
    return this.ring.get(row, column);
  }
}
