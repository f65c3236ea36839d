import { describe, expect, it } from 'vitest';
import { formatAge, formatCount, formatRate } from './feed-format';

describe('feed formatting', () => {
  it('shows slow rates with a decimal', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(0.5)).toBe('0.5/s');
    expect(formatRate(20)).toBe('20/s');
  });

  it('groups the digits of counts', () => {
    expect(formatCount(12_345)).toBe((12_345).toLocaleString());
  });

  it('says how long ago, and "just now" for the last second and a clock ahead of ours', () => {
    expect(formatAge(0, 4_400)).toBe('4.4 s ago');
    expect(formatAge(0, 185_000)).toBe('3 min ago');
    expect(formatAge(0, 400)).toBe('just now');
    expect(formatAge(10, 0)).toBe('just now');
  });
});
