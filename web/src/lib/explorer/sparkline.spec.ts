import { describe, expect, it } from 'vitest';
import { sparklinePaths } from './sparkline';

describe('sparklinePaths', () => {
  const window = { from: 0, to: 60_000 };

  it('spans the window in time and the box in value', () => {
    const paths = sparklinePaths({ ...window, t: [0, 30_000, 60_000], v: [0, 10, 5] }, 120, 20, 0);
    expect(paths.line).toBe('M0,20L60,0L120,10');
    expect(paths.area).toBe('M0,20L60,0L120,10L120,20L0,20Z');
  });

  it('leaves the quiet end of the window empty', () => {
    const paths = sparklinePaths({ ...window, t: [0, 15_000], v: [1, 2] }, 120, 20, 0);
    expect(paths.line).toBe('M0,20L30,0');
  });

  it('draws a flat feed through the middle', () => {
    expect(sparklinePaths({ ...window, t: [0, 60_000], v: [3, 3] }, 100, 20).line).toBe('M0,10L100,10');
  });

  it('orders points by time and keeps them inside the box', () => {
    const paths = sparklinePaths({ ...window, t: [70_000, -5_000, 30_000], v: [2, 0, 1] }, 100, 10, 0);
    expect(paths.line).toBe('M0,10L50,5L100,0');
  });

  it('draws a lone point as a dot', () => {
    expect(sparklinePaths({ ...window, t: [30_000], v: [5] }, 120, 20)).toEqual({ line: 'M60,10h0', area: '' });
  });

  it('draws nothing without points', () => {
    expect(sparklinePaths({ ...window, t: [], v: [] }, 100, 10)).toEqual({ line: '', area: '' });
  });
});
