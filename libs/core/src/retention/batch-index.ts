const MIN_CAPACITY = 1024;

/**
 * One entry per logged batch still in retention: its position, arrival time
 * and the running count of points up to it. It answers "which positions are
 * older than the retention window" and "how far can a frame reach without
 * carrying more than N points" without touching the feeds.
 */
export class BatchIndex {
  private position = new Float64Array(MIN_CAPACITY);
  private arrivedAt = new Float64Array(MIN_CAPACITY);
  private cumulative = new Float64Array(MIN_CAPACITY);
  private start = 0;
  private count = 0;
  /** Points counted before the oldest entry (entries that were dropped). */
  private droppedPoints = 0;
  private total = 0;

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.position.byteLength * 3;
  }

  /** Position of the oldest indexed batch, or `undefined`. */
  get oldestPosition(): number | undefined {
    return this.count === 0 ? undefined : this.position[this.start];
  }

  push(position: number, arrivedAt: number, points: number): void {
    if (this.count === this.position.length) this.resize(this.position.length * 2);
    const i = this.ring(this.count);
    // keep arrival times non-decreasing even if the wall clock steps back
    const previous = this.count === 0 ? -Infinity : this.arrivedAt[this.ring(this.count - 1)];
    this.total += points;
    this.position[i] = position;
    this.arrivedAt[i] = Math.max(arrivedAt, previous);
    this.cumulative[i] = this.total;
    this.count++;
  }

  /** Drops entries at or before `position`. */
  dropThrough(position: number): void {
    while (this.count > 0 && this.position[this.start] <= position) {
      this.droppedPoints = this.cumulative[this.start];
      this.start = (this.start + 1) % this.position.length;
      this.count--;
    }
    if (this.position.length > MIN_CAPACITY && this.count < this.position.length / 4) {
      this.resize(this.position.length / 2);
    }
  }

  /** Position of the newest batch that arrived at or before `time`, or `undefined`. */
  lastArrivedBy(time: number): number | undefined {
    const n = this.upperBound(this.arrivedAt, time);
    return n === 0 ? undefined : this.position[this.ring(n - 1)];
  }

  /**
   * The furthest batch position `p <= head` such that the batches in
   * `(after, p]` hold at most `maxPoints` points — but always at least the
   * first batch after `after`, so progress is made whatever its size.
   */
  reachWithin(after: number, head: number, maxPoints: number): number {
    const first = this.upperBound(this.position, after);
    if (first >= this.count) return head;
    const base = first === 0 ? this.droppedPoints : this.cumulative[this.ring(first - 1)];
    let lo = first + 1;
    let hi = this.upperBound(this.position, head);
    if (hi <= first) return head;
    // largest n in [first+1, hi] with cumulative[n-1] - base <= maxPoints
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.cumulative[this.ring(mid - 1)] - base <= maxPoints) lo = mid;
      else hi = mid - 1;
    }
    return this.position[this.ring(lo - 1)];
  }

  /** Arrival time of the first batch after `after` (or of the oldest indexed batch). */
  arrivalAfter(after: number): number | undefined {
    const i = this.upperBound(this.position, after);
    return i >= this.count ? undefined : this.arrivedAt[this.ring(i)];
  }

  /** Arrival time of the newest batch at or before `position`. */
  arrivalAt(position: number): number | undefined {
    const n = this.upperBound(this.position, position);
    return n === 0 ? undefined : this.arrivedAt[this.ring(n - 1)];
  }

  /** Points in the batches of `(after, through]` (approximate for ranges older than the index). */
  pointsBetween(after: number, through: number): number {
    const a = this.upperBound(this.position, after);
    const b = this.upperBound(this.position, through);
    const base = a === 0 ? this.droppedPoints : this.cumulative[this.ring(a - 1)];
    const end = b === 0 ? this.droppedPoints : this.cumulative[this.ring(b - 1)];
    return end - base;
  }

  /**
   * Walks from the oldest batch until the batches passed hold at least
   * `points` points; returns the position reached, or `undefined` when empty.
   */
  positionFreeing(points: number): number | undefined {
    if (this.count === 0) return undefined;
    const target = this.droppedPoints + points;
    const n = this.upperBound(this.cumulative, target - 1);
    return this.position[this.ring(Math.min(n, this.count - 1))];
  }

  /** Number of entries whose value in `column` is `<= value` (the column grows along the ring). */
  private upperBound(column: Float64Array, value: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (column[this.ring(mid)] <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private ring(logical: number): number {
    const i = this.start + logical;
    return i < this.position.length ? i : i - this.position.length;
  }

  private resize(capacity: number): void {
    const position = new Float64Array(capacity);
    const arrivedAt = new Float64Array(capacity);
    const cumulative = new Float64Array(capacity);
    for (let j = 0; j < this.count; j++) {
      const i = this.ring(j);
      position[j] = this.position[i];
      arrivedAt[j] = this.arrivedAt[i];
      cumulative[j] = this.cumulative[i];
    }
    this.position = position;
    this.arrivedAt = arrivedAt;
    this.cumulative = cumulative;
    this.start = 0;
  }
}
