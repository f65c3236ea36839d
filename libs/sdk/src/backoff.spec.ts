import { describe, expect, it } from 'vitest';
import { Backoff, fullJitterDelay } from './backoff.js';

describe('full-jitter backoff', () => {
  it('doubles the ceiling from initialMs up to maxMs', () => {
    const ceilings = Array.from({ length: 9 }, (_, attempt) => fullJitterDelay(attempt, 500, 20_000, () => 1));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 20_000, 20_000, 20_000]);
  });

  it('spreads each delay over the whole window below the ceiling', () => {
    expect(fullJitterDelay(3, 500, 20_000, () => 0)).toBe(0);
    expect(fullJitterDelay(3, 500, 20_000, () => 0.25)).toBe(1000);
    expect(fullJitterDelay(100, 500, 20_000, () => 0.5)).toBe(10_000);
  });

  it('counts failures and starts over after a reset', () => {
    const backoff = new Backoff(100, 1000, () => 1);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400]);
    expect(backoff.attempt).toBe(3);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('refuses bounds that make no sense', () => {
    expect(() => new Backoff(0, 1000, Math.random)).toThrow(RangeError);
    expect(() => new Backoff(500, 100, Math.random)).toThrow(RangeError);
  });
});
