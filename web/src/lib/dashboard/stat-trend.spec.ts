import { describe, expect, it } from 'vitest';
import { statTrend } from './stat-trend';

describe('statTrend', () => {
  it('compares the last value with the first of the window', () => {
    expect(statTrend(50, 75)).toEqual({ direction: 'up', change: 25, percent: 50 });
    expect(statTrend(-10, -15)).toEqual({ direction: 'down', change: -5, percent: -50 });
  });

  it('calls a negligible move flat', () => {
    expect(statTrend(1000, 1000.5)?.direction).toBe('flat');
    expect(statTrend(3, 3)).toEqual({ direction: 'flat', change: 0, percent: 0 });
  });

  it('has no percentage from zero, and no trend without values', () => {
    expect(statTrend(0, 2)).toEqual({ direction: 'up', change: 2 });
    expect(statTrend(undefined, 2)).toBeUndefined();
  });
});
