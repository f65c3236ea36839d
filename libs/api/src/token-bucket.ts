/**
 * A token bucket: `rate` tokens per second, holding at most `burst`. A take
 * larger than the burst passes when the bucket is full and leaves it in debt,
 * so a client cannot be starved by asking for more than the burst at once.
 */
export class TokenBucket {
  private tokens: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private updatedAt: number,
  ) {
    this.tokens = burst;
  }

  /** When the bucket was last used (ms). */
  get lastUsed(): number {
    return this.updatedAt;
  }

  /** Takes `n` tokens at time `now` (ms); returns 0 when allowed, else the whole seconds to wait. */
  take(n: number, now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = now;
    const needed = Math.min(n, this.burst);
    if (this.tokens >= needed) {
      this.tokens -= n;
      return 0;
    }
    return Math.max(1, Math.ceil((needed - this.tokens) / this.rate));
  }
}
