import { TokenBucket } from './token-bucket.js';

/** How many clients' buckets are remembered; idle full buckets are forgotten first. */
const MAX_BUCKETS = 10_000;

/**
 * A token bucket per client (a token subject, or an address in open mode):
 * `rate` tokens per second, bursts up to `burst`. A request takes as many
 * tokens as it weighs (an ingest batch: its points), all or nothing.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  get enabled(): boolean {
    return this.rate > 0;
  }

  /** Takes `tokens` for `key`; returns 0 when allowed, else the whole seconds to wait before retrying. */
  take(key: string, tokens: number, now: number): number {
    if (this.rate <= 0) return 0;
    return this.bucketFor(key, now).take(tokens, now);
  }

  private bucketFor(key: string, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.forgetIdle(now);
      bucket = new TokenBucket(this.rate, this.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private forgetIdle(now: number): void {
    const refillMs = (this.burst / this.rate) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.lastUsed >= refillMs) this.buckets.delete(key);
    }
    // everyone is active: drop the oldest entries rather than grow without bound
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_BUCKETS) break;
      this.buckets.delete(key);
    }
  }
}
