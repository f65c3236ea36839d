import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('lets everything through when off', () => {
    const limiter = new RateLimiter(0, 0);
    expect(limiter.enabled).toBe(false);
    expect(limiter.take('a', 1e9, 0)).toBe(0);
  });

  it('allows the burst, then the rate, and says how long to wait', () => {
    const limiter = new RateLimiter(100, 200);
    expect(limiter.take('a', 150, 0)).toBe(0);
    expect(limiter.take('a', 100, 0)).toBe(1);
    // half a second refills 50 points
    expect(limiter.take('a', 100, 500)).toBe(0);
    expect(limiter.take('a', 1, 500)).toBe(1);
  });

  it('keeps clients apart', () => {
    const limiter = new RateLimiter(10, 10);
    expect(limiter.take('a', 10, 0)).toBe(0);
    expect(limiter.take('b', 10, 0)).toBe(0);
    expect(limiter.take('a', 10, 0)).toBeGreaterThan(0);
  });

  it('lets a batch larger than the burst through when the bucket is full, leaving it in debt', () => {
    const limiter = new RateLimiter(100, 100);
    expect(limiter.take('a', 500, 0)).toBe(0);
    // 400 points of debt plus 100 for the next batch: 5 s
    expect(limiter.take('a', 100, 0)).toBe(5);
    expect(limiter.take('a', 100, 5000)).toBe(0);
  });
});
