import { afterEach, describe, expect, it, vi } from 'vitest';
import { atExpiry } from './expiry.js';

const DAY = 24 * 3600 * 1000;

describe('atExpiry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reaches a deadline beyond what setTimeout takes (2^31 - 1 ms) in steps, no sooner', () => {
    vi.useFakeTimers();
    const onExpiry = vi.fn();
    const cancel = atExpiry(Date.now() + 100 * DAY, onExpiry);
    vi.advanceTimersByTime(99 * DAY);
    expect(onExpiry).not.toHaveBeenCalled();
    vi.advanceTimersByTime(DAY);
    expect(onExpiry).toHaveBeenCalledOnce();
    cancel();
  });

  it('arms no timer that fires early for the latest date there is, nor for Infinity', () => {
    vi.useFakeTimers();
    const onExpiry = vi.fn();
    const cancels = [atExpiry(8.64e15, onExpiry), atExpiry(Infinity, onExpiry)];
    vi.advanceTimersByTime(1000 * DAY);
    expect(onExpiry).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(2);
    for (const cancel of cancels) cancel();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts a past or unreadable deadline as expired at once, without spinning', () => {
    vi.useFakeTimers();
    const onExpiry = vi.fn();
    atExpiry(Date.now() - 1, onExpiry);
    atExpiry(Number.NaN, onExpiry);
    expect(onExpiry).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});
