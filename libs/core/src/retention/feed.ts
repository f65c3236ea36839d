import { ColumnRing } from './column-ring.js';

/** Bytes one retained point costs: t, v and position as float64. */
export const BYTES_PER_POINT = 24;

/** Rows a new feed starts with; rings double as they fill (most feeds are small). */
const MIN_CAPACITY = 8;
/** Column numbers in a feed's ring. */
const T = 0;
const V = 1;
const POS = 2;
const RATE_WINDOW_S = 10;

/** Points read from a feed: parallel arrays, in arrival order. */
export interface PointColumns {
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/**
 * One feed's retained points: a columnar ring buffer of (t, v, position) in
 * arrival order, plus the feed's stats. Positions never decrease along the
 * ring, so reads by cursor are a binary search.
 */
export class Feed {
  readonly segments: readonly string[];
  /** Highest log position of a point that was evicted; reads starting before it have lost points. */
  evictedThrough = 0;
  /** Server time of the last point's arrival. */
  lastArrival = 0;
  /**
   * Whether every point so far came with a time no earlier than the one
   * before it (the usual case); time windows are then a binary search.
   */
  private timeOrdered = true;

  /** Columns: time, value, log position. */
  private readonly ring: ColumnRing;
  private readonly rateCounts = new Uint32Array(RATE_WINDOW_S + 1);
  private rateSecond = 0;

  constructor(
    readonly id: number,
    readonly name: string,
    private readonly maxPoints: number,
    /** The log partition the feed's points come from (always 0 unless the log is split). */
    readonly partition = 0,
  ) {
    this.segments = name.split('.');
    this.ring = new ColumnRing(3, Math.min(MIN_CAPACITY, maxPoints));
  }

  get size(): number {
    return this.ring.size;
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  /** Position of the newest retained point, or 0 when empty. */
  get lastPosition(): number {
    return this.ring.size === 0 ? 0 : this.ring.columns[POS][this.ring.at(this.ring.size - 1)];
  }

  /** Position of the oldest retained point, or 0 when empty. */
  get firstPosition(): number {
    return this.ring.size === 0 ? 0 : this.ring.columns[POS][this.ring.at(0)];
  }

  last(): { t: number; v: number } | null {
    if (this.ring.size === 0) return null;
    const i = this.ring.at(this.ring.size - 1);
    return { t: this.ring.columns[T][i], v: this.ring.columns[V][i] };
  }

  /**
   * Appends a point. Returns how many points this evicted (0 or 1): the
   * per-feed bound overwrites the oldest point once the ring is at `maxPoints`.
   */
  push(t: number, v: number, position: number, arrivedAt: number): number {
    const ring = this.ring;
    let evicted = 0;
    if (ring.size === ring.capacity) {
      if (ring.capacity < this.maxPoints) ring.resize(Math.min(ring.capacity * 2, this.maxPoints));
      else {
        this.evictOldest();
        evicted = 1;
      }
    }
    if (ring.size > 0 && t < ring.columns[T][ring.at(ring.size - 1)]) this.timeOrdered = false;
    const i = ring.append();
    const columns = ring.columns;
    columns[T][i] = t;
    columns[V][i] = v;
    columns[POS][i] = position;
    this.countArrival(arrivedAt);
    return evicted;
  }

  /** Evicts every point at or before `position`. Returns how many were evicted. */
  evictThrough(position: number): number {
    const ring = this.ring;
    let evicted = 0;
    while (ring.size > 0 && ring.columns[POS][ring.at(0)] <= position) {
      this.evictOldest();
      evicted++;
    }
    if (evicted > 0) ring.shrink(MIN_CAPACITY);
    return evicted;
  }

  /** Logical index of the first retained point whose position is greater than `position`. */
  indexAfter(position: number): number {
    return this.ring.upperBound(POS, position);
  }

  /**
   * Copies out the points with `after < position <= through`, keeping only
   * those with `t >= minT`.
   */
  read(after: number, through: number, minT = -Infinity): PointColumns {
    const ring = this.ring;
    const from = ring.upperBound(POS, after);
    const to = ring.upperBound(POS, through);
    const n = Math.max(0, to - from);
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    const times = ring.columns[T];
    const values = ring.columns[V];
    let k = 0;
    for (let row = from; row < to; row++) {
      const i = ring.at(row);
      if (times[i] < minT) continue;
      t[k] = times[i];
      v[k] = values[i];
      k++;
    }
    return k === n ? { t, v } : { t: t.subarray(0, k), v: v.subarray(0, k) };
  }

  /** Points with `from <= t <= to`, in arrival order. */
  readByTime(from: number, to: number): PointColumns {
    const ring = this.ring;
    const times = ring.columns[T];
    const values = ring.columns[V];
    const t: number[] = [];
    const v: number[] = [];
    for (let row = 0; row < ring.size; row++) {
      const i = ring.at(row);
      if (times[i] >= from && times[i] <= to) {
        t.push(times[i]);
        v.push(values[i]);
      }
    }
    return { t: Float64Array.from(t), v: Float64Array.from(v) };
  }

  /** Position of the first retained point with `t >= minT`, or `undefined` when none. */
  firstPositionFrom(minT: number): number | undefined {
    const ring = this.ring;
    if (this.timeOrdered) {
      const row = ring.lowerBound(T, minT);
      return row < ring.size ? ring.columns[POS][ring.at(row)] : undefined;
    }
    for (let row = 0; row < ring.size; row++) {
      const i = ring.at(row);
      if (ring.columns[T][i] >= minT) return ring.columns[POS][i];
    }
    return undefined;
  }

  /** Points per second over the last 10 complete seconds before `now`. */
  rate(now: number): number {
    const second = Math.floor(now / 1000);
    let sum = 0;
    for (let s = second - RATE_WINDOW_S; s < second; s++) {
      if (s > this.rateSecond - this.rateCounts.length && s <= this.rateSecond) {
        sum += this.rateCounts[s % this.rateCounts.length];
      }
    }
    return sum / RATE_WINDOW_S;
  }

  private countArrival(arrivedAt: number): void {
    this.lastArrival = arrivedAt;
    const second = Math.floor(arrivedAt / 1000);
    const slots = this.rateCounts.length;
    if (second > this.rateSecond) {
      const clear = Math.min(second - this.rateSecond, slots);
      for (let s = 1; s <= clear; s++) this.rateCounts[(this.rateSecond + s) % slots] = 0;
      this.rateSecond = second;
    }
    if (second > this.rateSecond - slots) this.rateCounts[second % slots]++;
  }

  private evictOldest(): void {
    this.evictedThrough = this.ring.columns[POS][this.ring.at(0)];
    this.ring.dropOldest();
  }
}
