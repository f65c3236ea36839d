/**
 * A batch of points in columnar form: point `i` is `(feeds[i], t[i], v[i])`.
 * Producers' batches are appended to the log whole: a batch is the unit of
 * atomicity and of log positions.
 */
export interface PointBatch {
  readonly feeds: readonly string[];
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** A batch as the log hands it out: with its position and arrival time. */
export interface LoggedBatch extends PointBatch {
  /** Log position, a safe integer that grows with every batch. */
  readonly position: number;
  /** Server time (ms) the batch was accepted; retention ages by it. */
  readonly arrivedAt: number;
  /**
   * For a log split into partitions: the partition the batch was read from,
   * and its position there (the same on every reader, while `position` is
   * the order this reader applied it in).
   */
  readonly partition?: number;
  readonly origin?: number;
}

/** Collects points into a `PointBatch` without knowing the count up front. */
export class PointBatchBuilder {
  private readonly feeds: string[] = [];
  private t: Float64Array;
  private v: Float64Array;

  constructor(expected = 64) {
    this.t = new Float64Array(Math.max(1, expected));
    this.v = new Float64Array(Math.max(1, expected));
  }

  get size(): number {
    return this.feeds.length;
  }

  add(feed: string, t: number, v: number): void {
    const i = this.feeds.length;
    if (i === this.t.length) {
      this.t = grow(this.t);
      this.v = grow(this.v);
    }
    this.feeds.push(feed);
    this.t[i] = t;
    this.v[i] = v;
  }

  build(): PointBatch {
    const n = this.feeds.length;
    return { feeds: this.feeds, t: this.t.subarray(0, n), v: this.v.subarray(0, n) };
  }
}

function grow(a: Float64Array): Float64Array {
  const next = new Float64Array(a.length * 2);
  next.set(a);
  return next;
}

/** Builds a batch from point objects whose `t` is already resolved. */
export function batchOf(points: readonly { feed: string; t: number; v: number }[]): PointBatch {
  const builder = new PointBatchBuilder(points.length);
  for (const p of points) builder.add(p.feed, p.t, p.v);
  return builder.build();
}
