/** Exponential backoff bounds, in milliseconds. */
export interface BackoffOptions {
  /** Ceiling of the first delay. */
  initialMs?: number;
  /** Largest ceiling any delay may have. */
  maxMs?: number;
}

/**
 * Full-jitter exponential backoff, from the AWS Architecture Blog,
 * "Exponential Backoff and Jitter" (Marc Brooker, 2015):
 * `delay = random() * min(maxMs, initialMs * 2^attempt)`. Spreading each
 * delay over the whole window keeps a fleet of clients that lost the same
 * server from coming back in lockstep.
 */
export function fullJitterDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  // 2^30 already exceeds any sensible ceiling; the bound keeps the product finite
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Counts consecutive failures and turns each into its next full-jitter delay. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number,
  ) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) {
      throw new RangeError('backoff needs 0 < initialMs <= maxMs');
    }
  }

  /** Failures since the last success. */
  get attempt(): number {
    return this.failures;
  }

  /** The delay before the next try; counts one more failure. */
  next(): number {
    const delay = fullJitterDelay(this.failures, this.initialMs, this.maxMs, this.random);
    this.failures++;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}
