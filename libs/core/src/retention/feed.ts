import { parseSeriesKey, type Labels } from '@pulseboard/protocol';
import { ColumnRing } from './column-ring.js';

/** Bytes one retained point costs: t, v and position as float64. */
export const BYTES_PER_POINT = 24;

/**
 * What a feed weighs in memory besides its points: its objects (the feed, its
 * ring with its first two rows, its rate counts, its list of name segments),
 * its entry in retention's map of feeds, its name and the name's segments.
 * Measured with `bench/tools/feed-cost.ts` (heap and array buffers before and
 * after creating 100,000 feeds of one point each from line protocol, Node 20,
 * less 24 bytes for the point and 8 for the batch's record of it): 733 bytes
 * for `h123456.v`, 900 for `fleet.eu-west-1.host123456.cpu.user`, 2,445 for a
 * 197-character name of 49 segments (each 24 more than before series had
 * labels: the name, labels and escaped key's slots); the constants below fit
 * all three within 2 %, and a series with 8 labels (a 171-character key,
 * 1,561 bytes) within 4 %. Before the ring kept its columns in one array and
 * started at two rows, a feed weighed about 1,400 bytes, of which the budget
 * counted 768. A feed held by a subscription weighs 35 bytes more there; that
 * counts against no budget, as the registry holds selectors, not feeds, until
 * asked.
 */
const FEED_BYTES = 674;
/** Each character of a name: in the name, and again in its segments. */
const NAME_CHAR_BYTES = 3;
/** Each segment of a name: a string of its own and its slot in the feed's list of segments. */
const SEGMENT_BYTES = 24;
/** A series with labels: its name apart from its key, its labels object, and its entry among its name's series. */
const LABELLED_BYTES = 96;
/** Each label: its slot in the labels object and its key and value strings' headers (their characters count in the key). */
const LABEL_BYTES = 48;

/** What a feed weighs besides its points, as retention charges it against its byte budget. */
export function feedBytes(feed: Feed): number {
  const base = FEED_BYTES + NAME_CHAR_BYTES * feed.key.length + SEGMENT_BYTES * feed.segments.length;
  return feed.key === feed.name ? base : base + LABELLED_BYTES + LABEL_BYTES * Object.keys(feed.labels).length;
}

/**
 * Rows a new feed starts with; rings double as they fill. Two rows keep a
 * feed's values inside the heap object (V8 moves typed arrays over 64 bytes
 * out of it, at a cost of its own), and a flood of feeds with a point or two
 * each costs little; a busy feed reaches eight rows after two doublings.
 */
const MIN_CAPACITY = 2;
const NO_LABELS: Labels = Object.freeze({});

/** Column numbers in a feed's ring, and how many there are. */
const T = 0;
const V = 1;
const POS = 2;
const WIDTH = 3;
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
  /** The metric name: the key without its labels. */
  readonly name: string;
  readonly labels: Labels;
  /** The name's dot-separated segments, which name patterns match. */
  readonly segments: readonly string[];
  /** The JSON string of a key with labels, made once; a plain name needs no escaping, so none is kept. */
  private readonly escapedKey: string | undefined;
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
  /** Arrivals per second, by second modulo its length: a plain array weighs half a `Uint32Array` this small. */
  private readonly rateCounts = new Array<number>(RATE_WINDOW_S + 1).fill(0);
  private rateSecond = 0;

  constructor(
    readonly id: number,
    /** The series key (`name` or `name{k="v",…}`): the feed's identity everywhere. */
    readonly key: string,
    private readonly maxPoints: number,
    /** The log partition the feed's points come from (always 0 unless the log is split). */
    readonly partition = 0,
  ) {
    if (key.includes('{')) {
      const series = parseSeriesKey(key);
      this.name = series.name;
      this.labels = series.labels;
      this.escapedKey = JSON.stringify(key);
    } else {
      this.name = key;
      this.labels = NO_LABELS;
      this.escapedKey = undefined;
    }
    this.segments = this.name.split('.');
    this.ring = new ColumnRing(WIDTH, Math.min(MIN_CAPACITY, maxPoints));
  }

  /** The key as a JSON string, quotes included, as frames name the series. */
  get jsonKey(): string {
    // a plain feed name is restricted to [A-Za-z0-9_\-:.] and needs no JSON escaping
    return this.escapedKey ?? `"${this.key}"`;
  }

  get size(): number {
    return this.ring.size;
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  /** Position of the newest retained point, or 0 when empty. */
  get lastPosition(): number {
    return this.ring.size === 0 ? 0 : this.ring.get(this.ring.size - 1, POS);
  }

  /** Position of the oldest retained point, or 0 when empty. */
  get firstPosition(): number {
    return this.ring.size === 0 ? 0 : this.ring.get(0, POS);
  }

  last(): { t: number; v: number } | null {
    if (this.ring.size === 0) return null;
    const row = this.ring.size - 1;
    return { t: this.ring.get(row, T), v: this.ring.get(row, V) };
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
    if (ring.size > 0 && t < ring.get(ring.size - 1, T)) this.timeOrdered = false;
    const at = ring.append() * WIDTH;
    const data = ring.data;
    data[at + T] = t;
    data[at + V] = v;
    data[at + POS] = position;
    this.countArrival(arrivedAt);
    return evicted;
  }

  /** Evicts every point at or before `position`. Returns how many were evicted. */
  evictThrough(position: number): number {
    const ring = this.ring;
    let evicted = 0;
    while (ring.size > 0 && ring.get(0, POS) <= position) {
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
    const data = ring.data;
    let k = 0;
    for (let row = from; row < to; row++) {
      const at = ring.at(row) * WIDTH;
      if (data[at + T] < minT) continue;
      t[k] = data[at + T];
      v[k] = data[at + V];
      k++;
    }
    return k === n ? { t, v } : { t: t.subarray(0, k), v: v.subarray(0, k) };
  }

  /** Points with `from <= t <= to`, in arrival order. */
  readByTime(from: number, to: number): PointColumns {
    const ring = this.ring;
    const t: number[] = [];
    const v: number[] = [];
    for (let row = 0; row < ring.size; row++) {
      const time = ring.get(row, T);
      if (time >= from && time <= to) {
        t.push(time);
        v.push(ring.get(row, V));
      }
    }
    return { t: Float64Array.from(t), v: Float64Array.from(v) };
  }

  /** Position of the first retained point with `t >= minT`, or `undefined` when none. */
  firstPositionFrom(minT: number): number | undefined {
    const ring = this.ring;
    if (this.timeOrdered) {
      const row = ring.lowerBound(T, minT);
      return row < ring.size ? ring.get(row, POS) : undefined;
    }
    for (let row = 0; row < ring.size; row++) {
      if (ring.get(row, T) >= minT) return ring.get(row, POS);
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
    this.evictedThrough = this.ring.get(0, POS);
    this.ring.dropOldest();
  }
}
