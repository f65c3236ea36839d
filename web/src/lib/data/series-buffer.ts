/** Points a buffer holds by default: 16,384 points are 256 KB, and four times any chart's pixel width. */
export const DEFAULT_CAPACITY = 16_384;

/** A lost stretch of a feed: the last point before it and the first after it (ms). */
export interface SeriesGap {
  from: number;
  to: number;
}

/** Gaps kept per buffer; older ones go first (they are also pruned with the window). */
const MAX_GAPS = 64;

/**
 * One feed's recent points, columnar and bounded: times and values in two
 * `Float64Array` rings kept in time order, so a window is found by binary
 * search and drawn without copying the whole history.
 *
 * Bounds: the owner prunes everything older than its window (plus a margin)
 * with {@link pruneBefore}; when the ring is full anyway (a fast feed on a
 * long window), its older half is compacted to per-bucket minimum and
 * maximum, which keeps the whole window drawable at a coarser resolution
 * instead of dropping its start. Memory never exceeds `capacity` points.
 */
export class SeriesBuffer {
  readonly capacity: number;
  readonly #mask: number;
  #t: Float64Array;
  #v: Float64Array;
  /** Compaction writes into these, then swaps them in, so it allocates once per buffer. */
  #spareT: Float64Array | undefined;
  #spareV: Float64Array | undefined;
  /** Ring index of the oldest point. */
  #head = 0;
  #length = 0;
  #gaps: SeriesGap[] = [];
  /** Continuity was lost after the newest point: the next point opens a gap. */
  #gapPending = false;

  constructor(capacity = DEFAULT_CAPACITY) {
    // a power of two turns the ring's modulo into a mask
    this.capacity = 2 ** Math.ceil(Math.log2(Math.max(16, capacity)));
    this.#mask = this.capacity - 1;
    this.#t = new Float64Array(this.capacity);
    this.#v = new Float64Array(this.capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Time of the `i`-th oldest point. */
  timeAt(i: number): number {
    return this.#t[(this.#head + i) & this.#mask];
  }

  /** Value of the `i`-th oldest point. */
  valueAt(i: number): number {
    return this.#v[(this.#head + i) & this.#mask];
  }

  /** Time of the newest point, or `NaN` when empty. */
  get lastTime(): number {
    return this.#length === 0 ? NaN : this.timeAt(this.#length - 1);
  }

  /** Value of the newest point, or `undefined` when empty. */
  get lastValue(): number | undefined {
    return this.#length === 0 ? undefined : this.valueAt(this.#length - 1);
  }

  /** Where continuity was lost, oldest first. */
  get gaps(): readonly SeriesGap[] {
    return this.#gaps;
  }

  /**
   * Adds a point in time order. A point older than the newest is inserted
   * where it belongs (producers may send explicit, out-of-order times); an
   * exact repeat of a point already held (same time and value) is dropped.
   */
  push(t: number, v: number): void {
    if (!Number.isFinite(t) || !Number.isFinite(v)) return;
    const last = this.lastTime;
    if (this.#gapPending) {
      this.#gapPending = false;
      if (this.#length > 0 && t >= last) this.#addGap({ from: last, to: t });
    }
    if (this.#length === 0 || t > last || (t === last && v !== this.valueAt(this.#length - 1))) {
      this.#append(t, v);
      return;
    }
    const at = this.upperBound(t);
    for (let i = at - 1; i >= 0 && this.timeAt(i) === t; i--) if (this.valueAt(i) === v) return;
    this.#insert(at, t, v);
  }

  /** Adds columnar points (as they come from the stream or the points endpoint). */
  pushAll(t: ArrayLike<number>, v: ArrayLike<number>): void {
    const count = Math.min(t.length, v.length);
    for (let i = 0; i < count; i++) this.push(t[i], v[i]);
  }

  /** Continuity was lost: a break is drawn between the newest point and the next one. */
  markGap(): void {
    this.#gapPending = true;
  }

  /** Drops every point (and gap) older than `bound`. */
  pruneBefore(bound: number): void {
    const drop = this.lowerBound(bound);
    this.#head = (this.#head + drop) & this.#mask;
    this.#length -= drop;
    if (this.#gaps.length > 0 && this.#gaps[0].to < bound) this.#gaps = this.#gaps.filter((gap) => gap.to >= bound);
  }

  clear(): void {
    this.#head = 0;
    this.#length = 0;
    this.#gaps = [];
    this.#gapPending = false;
  }

  /** Index of the first point with time ≥ `t` (`length` when none). */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first point with time > `t` (`length` when none). */
  upperBound(t: number): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #append(t: number, v: number): void {
    if (this.#length === this.capacity) this.#makeRoom();
    const at = (this.#head + this.#length) & this.#mask;
    this.#t[at] = t;
    this.#v[at] = v;
    this.#length++;
  }

  #insert(index: number, t: number, v: number): void {
    if (this.#length === this.capacity) {
      this.#makeRoom();
      index = this.upperBound(t);
    }
    for (let i = this.#length; i > index; i--) {
      const to = (this.#head + i) & this.#mask;
      const from = (this.#head + i - 1) & this.#mask;
      this.#t[to] = this.#t[from];
      this.#v[to] = this.#v[from];
    }
    const at = (this.#head + index) & this.#mask;
    this.#t[at] = t;
    this.#v[at] = v;
    this.#length++;
  }

  /**
   * Compacts the older half to the minimum and maximum of `capacity / 8`
   * time buckets (the M4 idea, Jugel et al., VLDB 2014, without first and
   * last), freeing at least a quarter of the ring; drops the oldest point
   * when even that cannot help (every point at one time).
   */
  #makeRoom(): void {
    const half = this.#length >> 1;
    const start = this.timeAt(0);
    const end = this.timeAt(half - 1);
    const buckets = this.capacity >> 3;
    const width = (end - start) / buckets;
    const t = (this.#spareT ??= new Float64Array(this.capacity));
    const v = (this.#spareV ??= new Float64Array(this.capacity));
    let out = 0;
    if (width > 0) {
      let bucket = -1;
      let lo = -1;
      let hi = -1;
      const flush = () => {
        if (lo < 0) return;
        const [first, second] = lo <= hi ? [lo, hi] : [hi, lo];
        t[out] = this.timeAt(first);
        v[out++] = this.valueAt(first);
        if (second !== first) {
          t[out] = this.timeAt(second);
          v[out++] = this.valueAt(second);
        }
      };
      for (let i = 0; i < half; i++) {
        const b = Math.min(buckets - 1, Math.floor((this.timeAt(i) - start) / width));
        if (b !== bucket) {
          flush();
          bucket = b;
          lo = hi = i;
        } else {
          if (this.valueAt(i) < this.valueAt(lo)) lo = i;
          if (this.valueAt(i) > this.valueAt(hi)) hi = i;
        }
      }
      flush();
    } else {
      // one time for the whole older half: nothing to compact, let the oldest point go
      for (let i = 1; i < half; i++) {
        t[out] = this.timeAt(i);
        v[out++] = this.valueAt(i);
      }
    }
    for (let i = half; i < this.#length; i++) {
      t[out] = this.timeAt(i);
      v[out++] = this.valueAt(i);
    }
    this.#spareT = this.#t;
    this.#spareV = this.#v;
    this.#t = t;
    this.#v = v;
    this.#head = 0;
    this.#length = out;
  }

  #addGap(gap: SeriesGap): void {
    this.#gaps.push(gap);
    if (this.#gaps.length > MAX_GAPS) this.#gaps.shift();
  }
}
