import { describe, expect, it } from 'vitest';
import { AGGREGATE_LOOKBACK_MS, aggregateBuffers, groupByLabel, lineStats } from './series-aggregate';
import { SeriesBuffer } from './series-buffer';

function buffer(points: [number, number][]): SeriesBuffer {
  const b = new SeriesBuffer(64);
  for (const [t, v] of points) b.push(t, v);
  return b;
}

/** The combined line as [t, v] pairs. */
function line(...args: Parameters<typeof aggregateBuffers>): [number, number | null][] {
  const { t, v } = aggregateBuffers(...args);
  return t.map((time, i) => [time, v[i]]);
}

describe('aggregateBuffers', () => {
  // two hosts reporting every 10 s, 5 s apart: each step sees both
  const a = buffer([
    [0, 1],
    [10_000, 2],
    [20_000, 3],
  ]);
  const b = buffer([
    [5_000, 10],
    [15_000, 20],
    [25_000, 30],
  ]);

  it('combines, at each step, every series’ newest value at or before it', () => {
    // 6 steps of 5 s over [0, 30 s], and one at `to`
    expect(line([a, b], 'sum', 0, 30_000, 6)).toEqual([
      [0, 1],
      [5_000, 11],
      [10_000, 12],
      [15_000, 22],
      [20_000, 23],
      [25_000, 33],
      [30_000, 33],
    ]);
    expect(line([a, b], 'avg', 0, 30_000, 6).map(([, v]) => v)).toEqual([1, 5.5, 6, 11, 11.5, 16.5, 16.5]);
    expect(line([a, b], 'min', 0, 30_000, 6).map(([, v]) => v)).toEqual([1, 1, 2, 2, 3, 3, 3]);
    expect(line([a, b], 'max', 0, 30_000, 6).map(([, v]) => v)).toEqual([1, 10, 10, 20, 20, 30, 30]);
  });

  it('anchors steps to absolute time, so a sliding window keeps its columns', () => {
    expect(line([a, b], 'sum', 2_000, 32_000, 6).map(([t]) => t)).toEqual([
      5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 32_000,
    ]);
  });

  it('lets a series count for the lookback after its newest point, then breaks the line once', () => {
    const lone = buffer([[0, 4]]);
    const steps = line([lone], 'sum', 0, 60_000, 6);
    expect(steps.filter(([t]) => t <= AGGREGATE_LOOKBACK_MS).every(([, v]) => v === 4)).toBe(true);
    expect(steps.filter(([t]) => t > AGGREGATE_LOOKBACK_MS)).toEqual([[40_000, null]]);
  });

  it('answers nothing without series or points', () => {
    expect(line([], 'avg', 0, 10, 10)).toEqual([]);
    expect(line([new SeriesBuffer(16)], 'avg', 0, 10, 10)).toEqual([]);
  });

  it('reads first, last, min and max of a combined line in the window', () => {
    const combined = aggregateBuffers([a, b], 'sum', 0, 30_000, 6);
    expect(lineStats(combined, 5_000, 25_000)).toEqual({
      first: 11,
      last: 33,
      lastTime: 25_000,
      min: 11,
      max: 33,
      count: 5,
    });
    expect(lineStats({ t: [1, 2], v: [null, null] }, 0, 10)).toEqual({ count: 0 });
  });
});

describe('groupByLabel', () => {
  it('groups series by a label’s value, the series without it together under ""', () => {
    const series: { key: string; labels: Record<string, string> }[] = [
      { key: 'a1', labels: { host: 'a', dc: 'eu' } },
      { key: 'b1', labels: { host: 'b', dc: 'eu' } },
      { key: 'a2', labels: { host: 'a', dc: 'us' } },
      { key: 'none', labels: { dc: 'us' } },
    ];
    const groups = groupByLabel(series, (s) => s.labels, 'host');
    expect([...groups].map(([value, members]) => [value, members.map((m) => m.key)])).toEqual([
      ['', ['none']],
      ['a', ['a1', 'a2']],
      ['b', ['b1']],
    ]);
  });
});
