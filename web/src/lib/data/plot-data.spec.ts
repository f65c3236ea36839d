import { describe, expect, it } from 'vitest';
import { alignSeries, decimate, windowStats } from './plot-data';
import { SeriesBuffer } from './series-buffer';

function filled(points: [number, number][]): SeriesBuffer {
  const buffer = new SeriesBuffer(65_536);
  for (const [t, v] of points) buffer.push(t, v);
  return buffer;
}

describe('decimate', () => {
  it('keeps every point when there are fewer than the pixels', () => {
    const buffer = filled([
      [100, 1],
      [200, 2],
      [300, 3],
    ]);
    expect(decimate(buffer, 0, 1_000, 1_000)).toEqual({ t: [100, 200, 300], v: [1, 2, 3] });
  });

  it('keeps at most two points per pixel column, and the extremes of each', () => {
    const points: [number, number][] = [];
    for (let t = 0; t < 10_000; t++) points.push([t, t === 5_000 ? 99 : Math.sin(t)]);
    const out = decimate(filled(points), 0, 9_999, 100);
    expect(out.t.length).toBeLessThanOrEqual(2 * 101 + 2);
    expect(out.v).toContain(99);
    expect(out.t).toEqual([...out.t].sort((a, b) => a - b));
  });

  it('keeps one point on each side of the window so the line reaches the edges', () => {
    const buffer = filled([
      [0, 0],
      [50, 5],
      [100, 10],
      [150, 15],
      [200, 20],
    ]);
    expect(decimate(buffer, 60, 140, 100).t).toEqual([50, 100, 150]);
  });

  it('puts a break in the middle of a gap', () => {
    const buffer = filled([
      [0, 0],
      [10, 1],
    ]);
    buffer.markGap();
    buffer.push(30, 3);
    expect(decimate(buffer, 0, 40, 40)).toEqual({ t: [0, 10, 20, 30], v: [0, 1, null, 3] });
  });
});

describe('alignSeries', () => {
  it('joins feeds on one time column, bridging missing points and keeping breaks', () => {
    const columns = alignSeries([
      { t: [1, 2, 4], v: [10, null, 40] },
      { t: [2, 3], v: [20, 30] },
    ]);
    expect(columns).toEqual([
      [1, 2, 3, 4],
      [10, null, undefined, 40],
      [undefined, 20, 30, undefined],
    ]);
  });

  it('answers one empty column per line when there is nothing', () => {
    const empty = new SeriesBuffer(16);
    expect(alignSeries([decimate(empty, 0, 10, 10), decimate(empty, 0, 10, 10)])).toEqual([[], [], []]);
  });
});

describe('windowStats', () => {
  it('answers first, last, min and max of the window only', () => {
    const buffer = filled([
      [0, 100],
      [10, 3],
      [20, 1],
      [30, 7],
      [40, -100],
    ]);
    expect(windowStats(buffer, 5, 35)).toEqual({ first: 3, last: 7, lastTime: 30, min: 1, max: 7, count: 3 });
    expect(windowStats(buffer, 41, 50)).toEqual({ count: 0 });
  });
});
