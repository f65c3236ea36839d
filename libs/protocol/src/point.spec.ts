import { describe, expect, it } from 'vitest';
import { MAX_TIMESTAMP_MS, pointProblem } from './point.js';

describe('pointProblem', () => {
  it('accepts a valid point with or without t', () => {
    expect(pointProblem({ feed: 'a.b', t: 0, v: 0 })).toBeUndefined();
    expect(pointProblem({ feed: 'a', v: -1.5e300 })).toBeUndefined();
    expect(pointProblem({ feed: 'a', t: MAX_TIMESTAMP_MS, v: 1 })).toBeUndefined();
    expect(pointProblem({ feed: 'a', t: 1764230400000.5, v: 1 })).toBeUndefined();
  });

  it.each([
    [null, 'point must be an object'],
    [[1], 'point must be an object'],
    [{ v: 1 }, 'feed must be a string'],
    [{ feed: 'a' }, 'v is required'],
    [{ feed: 'a', v: '1' }, 'v must be a number'],
    [{ feed: 'a', v: Infinity }, 'v must be a finite number'],
    [{ feed: 'a', v: NaN }, 'v must be a finite number'],
    [{ feed: 'a', t: '1', v: 1 }, 't must be a number (ms since the epoch)'],
    [{ feed: 'a', t: -1, v: 1 }, 't must be between 0 and 8640000000000000 ms'],
    [{ feed: 'a', t: MAX_TIMESTAMP_MS + 1, v: 1 }, 't must be between 0 and 8640000000000000 ms'],
  ])('rejects %j: %s', (point, reason) => {
    expect(pointProblem(point)).toBe(reason);
  });
});
