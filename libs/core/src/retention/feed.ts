/** Bytes one retained point costs: t, v and position as float64. */
export const BYTES_PER_POINT = 24;

const MIN_CAPACITY = 64;
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

  private t: Float64Array;
  private v: Float64Array;
  private pos: Float64Array;
  /** Ring index of the oldest point. */
  private start = 0;
  private count = 0;

  private readonly rateCounts = new Uint32Array(RATE_WINDOW_S + 1);
  private rateSecond = 0;

  constructor(
    readonly id: number,
    readonly name: string,
    private readonly maxPoints: number,
  ) {
    this.segments = name.split('.');
    const capacity = Math.min(MIN_CAPACITY, maxPoints);
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
    this.pos = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.t.length;
  }

  /** Position of the newest retained point, or 0 when empty. */
  get lastPosition(): number {
    return this.count === 0 ? 0 : this.pos[this.ringIndex(this.count - 1)];
  }

  /** Position of the oldest retained point, or 0 when empty. */
  get firstPosition(): number {
    return this.count === 0 ? 0 : this.pos[this.start];
  }

  last(): { t: number; v: number } | null {
    if (this.count === 0) return null;
    const i = this.ringIndex(this.count - 1);
    return { t: this.t[i], v: this.v[i] };
  }

  /**
   * Appends a point. Returns how many points this evicted (0 or 1): the
   * per-feed bound overwrites the oldest point once the ring is at `maxPoints`.
   */
  push(t: number, v: number, position: number, arrivedAt: number): number {
    let evicted = 0;
    if (this.count === this.t.length) {
      if (this.t.length < this.maxPoints) this.resize(Math.min(this.t.length * 2, this.maxPoints));
      else {
        this.evictOldest();
        evicted = 1;
      }
    }
    const i = this.ringIndex(this.count);
    this.t[i] = t;
    this.v[i] = v;
    this.pos[i] = position;
    this.count++;
    this.countArrival(arrivedAt);
    return evicted;
  }

  /** Evicts every point at or before `position`. Returns how many were evicted. */
  evictThrough(position: number): number {
    let evicted = 0;
    while (this.count > 0 && this.pos[this.start] <= position) {
      this.evictOldest();
      evicted++;
    }
    if (evicted > 0 && this.t.length > MIN_CAPACITY && this.count < this.t.length / 4) {
      this.resize(Math.max(MIN_CAPACITY, this.t.length / 2));
    }
    return evicted;
  }

  /** Logical index of the first retained point whose position is greater than `position`. */
  indexAfter(position: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pos[this.ringIndex(mid)] <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Copies out the points with `after < position <= through`, keeping only
   * those with `t >= minT`.
   */
  read(after: number, through: number, minT = -Infinity): PointColumns {
    const from = this.indexAfter(after);
    const to = this.indexAfter(through);
    const n = Math.max(0, to - from);
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let k = 0;
    for (let j = from; j < to; j++) {
      const i = this.ringIndex(j);
      if (this.t[i] < minT) continue;
      t[k] = this.t[i];
      v[k] = this.v[i];
      k++;
    }
    return k === n ? { t, v } : { t: t.subarray(0, k), v: v.subarray(0, k) };
  }

  /** Points with `from <= t <= to`, in arrival order. */
  readByTime(from: number, to: number): PointColumns {
    const t: number[] = [];
    const v: number[] = [];
    for (let j = 0; j < this.count; j++) {
      const i = this.ringIndex(j);
      const ti = this.t[i];
      if (ti >= from && ti <= to) {
        t.push(ti);
        v.push(this.v[i]);
      }
    }
    return { t: Float64Array.from(t), v: Float64Array.from(v) };
  }

  /** Position of the first retained point with `t >= minT`, or `undefined` when none. */
  firstPositionFrom(minT: number): number | undefined {
    for (let j = 0; j < this.count; j++) {
      const i = this.ringIndex(j);
      if (this.t[i] >= minT) return this.pos[i];
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
    this.evictedThrough = this.pos[this.start];
    this.start = (this.start + 1) % this.t.length;
    this.count--;
  }

  private ringIndex(logical: number): number {
    const i = this.start + logical;
    return i < this.t.length ? i : i - this.t.length;
  }

  private resize(capacity: number): void {
    const t = new Float64Array(capacity);
    const v = new Float64Array(capacity);
    const pos = new Float64Array(capacity);
    for (let j = 0; j < this.count; j++) {
      const i = this.ringIndex(j);
      t[j] = this.t[i];
      v[j] = this.v[i];
      pos[j] = this.pos[i];
    }
    this.t = t;
    this.v = v;
    this.pos = pos;
    this.start = 0;
  }
}
