/** How many clients' buckets are remembered; idle full buckets are forgotten first. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per client: `rate` points per second, bursts up to `burst`.
 * A batch takes as many tokens as it has points, all or nothing.
 */
export class IngestRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  get enabled(): boolean {
    return this.rate > 0;
  }

  /** Takes `points` tokens; returns 0 when allowed, else the whole seconds to wait before retrying. */
  take(key: string, points: number, now: number): number {
    if (this.rate <= 0) return 0;
    const bucket = this.bucketFor(key, now);
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.rate);
    bucket.updatedAt = now;
    // a batch larger than the burst passes when the bucket is full, leaving it in debt
    if (bucket.tokens >= Math.min(points, this.burst)) {
      bucket.tokens -= points;
      return 0;
    }
    const needed = Math.min(points, this.burst) - bucket.tokens;
    return Math.max(1, Math.ceil(needed / this.rate));
  }

  private bucketFor(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.forgetIdle(now);
      bucket = { tokens: this.burst, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private forgetIdle(now: number): void {
    const refillMs = (this.burst / this.rate) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt >= refillMs) this.buckets.delete(key);
    }
    // everyone is active: drop the oldest entries rather than grow without bound
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_BUCKETS) break;
      this.buckets.delete(key);
    }
  }
}
