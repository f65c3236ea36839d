import { describe, expect, it } from 'vitest';
import { downsampleMinMax } from './downsample.js';

const columns = (v: number[]) => ({ t: Float64Array.from(v.map((_, i) => i)), v: Float64Array.from(v) });

describe('downsampleMinMax', () => {
  it('returns the series unchanged when it fits the budget', () => {
    const input = columns([3, 1, 2]);
    expect(downsampleMinMax(input, 3)).toBe(input);
  });

  it('keeps every bucket extreme, in time order', () => {
    // two buckets of 5: [1,9,2,3,0] and [5,5,-4,5,8]
    const out = downsampleMinMax(columns([1, 9, 2, 3, 0, 5, 5, -4, 5, 8]), 4);
    expect(Array.from(out.v)).toEqual([9, 0, -4, 8]);
    expect(Array.from(out.t)).toEqual([1, 4, 7, 9]);
  });

  it('preserves the global min and max of a long series within the budget', () => {
    const v = Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 100));
    v[31_337] = 42;
    v[77_777] = -42;
    const out = downsampleMinMax(columns(v), 1000);
    expect(out.v.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...out.v)).toBe(42);
    expect(Math.min(...out.v)).toBe(-42);
    for (let i = 1; i < out.t.length; i++) expect(out.t[i]).toBeGreaterThan(out.t[i - 1]);
  });

  it('emits one point for a flat bucket', () => {
    const out = downsampleMinMax(columns([7, 7, 7, 7, 7, 7]), 2);
    expect(Array.from(out.v)).toEqual([7]);
  });
});
