/**
 * Latencies in 1 ms buckets up to 60 s, so that memory stays fixed however
 * many points are recorded; slower ones land in one overflow bucket.
 */
export class LatencyHistogram {
  static readonly MAX_MS = 60_000;
  private readonly counts = new Float64Array(LatencyHistogram.MAX_MS + 1);
  count = 0;
  max = 0;
  /** Receive time before the point's own time: a clock problem, counted as 0 ms. */
  negative = 0;

  record(ms: number, times = 1): void {
    let bucket = Math.floor(ms);
    if (bucket < 0) {
      this.negative += times;
      bucket = 0;
    } else if (bucket > LatencyHistogram.MAX_MS) bucket = LatencyHistogram.MAX_MS;
    this.counts[bucket] += times;
    this.count += times;
    if (ms > this.max) this.max = ms;
  }

  /** The bucket (in ms) holding the p-th percentile, or `undefined` when empty. */
  percentile(p: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let ms = 0; ms < this.counts.length; ms++) {
      seen += this.counts[ms];
      if (seen >= rank) return ms;
    }
    return LatencyHistogram.MAX_MS;
  }

  clear(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
    this.negative = 0;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: this.percentile(50) ?? null,
      p90: this.percentile(90) ?? null,
      p99: this.percentile(99) ?? null,
      max: this.count === 0 ? null : this.max,
      overflow: this.counts[LatencyHistogram.MAX_MS],
      negative: this.negative,
    };
  }
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** Points that took 60 s or more. */
  overflow: number;
  negative: number;
}
