import { describe, expect, it } from 'vitest';
import { MAX_TIMESTAMP_MS, pointProblem, unlabelledPointProblem } from './point.js';

describe('pointProblem', () => {
  it('accepts a valid point with or without t', () => {
    expect(pointProblem({ feed: 'a.b', t: 0, v: 0 })).toBeUndefined();
    expect(pointProblem({ feed: 'a', v: -1.5e300 })).toBeUndefined();
    expect(pointProblem({ feed: 'a', t: MAX_TIMESTAMP_MS, v: 1 })).toBeUndefined();
    expect(pointProblem({ feed: 'a', t: 1764230400000.5, v: 1 })).toBeUndefined();
  });

  it('accepts labels beside feed, and an empty set of them', () => {
    expect(pointProblem({ feed: 'cpu.usage', labels: { host: 'h1', region: 'eu' }, v: 1 })).toBeUndefined();
    expect(pointProblem({ feed: 'cpu.usage', labels: {}, v: 1 })).toBeUndefined();
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
    [{ feed: 'a', labels: null, v: 1 }, 'labels must be an object'],
    [{ feed: 'a', labels: ['h1'], v: 1 }, 'labels must be an object'],
    [{ feed: 'a', labels: { host: 1 }, v: 1 }, 'label host must be a string'],
    [{ feed: 'a', labels: { host: '' }, v: 1 }, 'label host must not be empty'],
    [{ feed: 'a', labels: { '1host': 'h1' }, v: 1 }, 'label key "1host" must match [A-Za-z_][A-Za-z0-9_]*'],
    [{ feed: 'a', labels: { __name__: 'a' }, v: 1 }, 'label key "__name__" is reserved (keys starting with __)'],
    [{ feed: 'a.', labels: { host: 1 }, v: 1 }, 'feed segments must not be empty'],
  ])('rejects %j: %s', (point, reason) => {
    expect(pointProblem(point)).toBe(reason);
  });

  it('leaves labels to the caller in unlabelledPointProblem, and checks the rest alike', () => {
    expect(unlabelledPointProblem({ feed: 'a', labels: { host: 1 }, v: 1 })).toBeUndefined();
    expect(unlabelledPointProblem({ feed: 'a', labels: {}, v: '1' })).toBe('v must be a number');
  });
});
