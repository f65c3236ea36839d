import { describe, expect, it } from 'vitest';
import { FeedSeries } from './feed-series';

function points(series: FeedSeries): [number, number][] {
  const { buffer } = series;
  return Array.from({ length: buffer.length }, (_, i) => [buffer.timeAt(i), buffer.valueAt(i)]);
}

describe('FeedSeries', () => {
  it('merges history and the live points that came while it loaded, without duplicates or holes', () => {
    const series = new FeedSeries('a.b', 60_000);
    const token = series.beginBackfill();
    // subscribed first: these arrive live while the history request is on its way
    series.live([1_004, 1_005], [4, 5]);
    series.live([1_006], [6]);
    // the history was read after the subscription, so it overlaps the live points
    expect(series.applyBackfill(token, [1_001, 1_002, 1_003, 1_004, 1_005], [1, 2, 3, 4, 5])).toBe(true);
    series.live([1_007], [7]);
    expect(points(series)).toEqual([
      [1_001, 1],
      [1_002, 2],
      [1_003, 3],
      [1_004, 4],
      [1_005, 5],
      [1_006, 6],
      [1_007, 7],
    ]);
  });

  it('sorts history that came in arrival order', () => {
    const series = new FeedSeries('a.b', 60_000);
    const token = series.beginBackfill();
    series.applyBackfill(token, [3, 1, 2], [3, 1, 2]);
    expect(points(series).map(([t]) => t)).toEqual([1, 2, 3]);
  });

  it('ignores the answer of a history request that a newer one replaced', () => {
    const series = new FeedSeries('a.b', 60_000);
    const first = series.beginBackfill();
    const second = series.beginBackfill();
    expect(series.applyBackfill(first, [1], [1])).toBe(false);
    expect(series.loading).toBe(true);
    expect(series.applyBackfill(second, [2], [2])).toBe(true);
    expect(points(series)).toEqual([[2, 2]]);
  });

  it('keeps the live points when there is no history', () => {
    const series = new FeedSeries('a.b', 60_000);
    const token = series.beginBackfill();
    series.live([5, 6], [5, 6]);
    series.failBackfill(token);
    expect(points(series)).toEqual([
      [5, 5],
      [6, 6],
    ]);
  });

  it('prunes to the window and its margin', () => {
    const series = new FeedSeries('a.b', 60_000);
    series.failBackfill(series.beginBackfill());
    for (let t = 0; t <= 200_000; t += 1_000) series.live([t], [t]);
    // 60 s window + 6 s margin before the newest point
    expect(series.buffer.timeAt(0)).toBe(134_000);
    series.setWindow(10_000);
    expect(series.buffer.timeAt(0)).toBe(185_000);
  });

  it('breaks the line where retention or a slow read lost points, not at a server restart', () => {
    const series = new FeedSeries('a.b', 60_000);
    series.failBackfill(series.beginBackfill());
    series.live([1, 2], [1, 2]);
    series.gap('epoch');
    series.live([3], [3]);
    series.gap('retention');
    series.live([8], [8]);
    expect(series.buffer.gaps).toEqual([{ from: 3, to: 8 }]);
  });

  it('keeps a gap that came while the history loaded', () => {
    const series = new FeedSeries('a.b', 60_000);
    const token = series.beginBackfill();
    series.live([10], [10]);
    series.gap('slow');
    series.live([20], [20]);
    series.applyBackfill(token, [5, 10], [5, 10]);
    expect(points(series).map(([t]) => t)).toEqual([5, 10, 20]);
    expect(series.buffer.gaps).toEqual([{ from: 10, to: 20 }]);
  });
});
