import { describe, expect, it } from 'vitest';
import { SeriesBuffer } from '../data/series-buffer';
import { panelLines, type LineSource } from './panel-lines';

function series(key: string, points: [number, number][]): LineSource {
  const buffer = new SeriesBuffer(64);
  for (const [t, v] of points) buffer.push(t, v);
  return { key, buffer };
}

const cpu = [
  series('cpu.usage{dc="eu",host="a"}', [
    [1_000, 10],
    [2_000, 20],
  ]),
  series('cpu.usage{dc="us",host="a"}', [
    [1_000, 30],
    [2_000, 40],
  ]),
  series('cpu.usage{dc="us",host="b"}', [
    [1_000, 5],
    [2_000, 7],
  ]),
  series('cpu.usage', [[1_500, 100]]),
];

describe('panelLines', () => {
  it('draws one line per series, named by the labels that differ, with its own window figures', () => {
    const lines = panelLines(cpu, { aggregate: 'avg' }, 0, 2_000, 2);
    expect(lines.map((line) => [line.id, line.name])).toEqual([
      ['cpu.usage{dc="eu",host="a"}', 'dc=eu, host=a'],
      ['cpu.usage{dc="us",host="a"}', 'dc=us, host=a'],
      ['cpu.usage{dc="us",host="b"}', 'dc=us, host=b'],
      ['cpu.usage', 'cpu.usage'],
    ]);
    expect(lines[1].stats).toMatchObject({ last: 40, min: 30, max: 40 });
    expect(lines[3].newest).toBe(1_500);
  });

  it('grouped by a label, draws one line per value, combining the series that share it', () => {
    const lines = panelLines(cpu, { groupBy: 'host', aggregate: 'sum' }, 0, 2_000, 2);
    expect(lines.map((line) => [line.id, line.name, line.title])).toEqual([
      ['host=', '(no host)', 'sum of 1 series without host'],
      ['host=a', 'host=a', 'sum of 2 series with host=a'],
      ['host=b', 'host=b', 'sum of 1 series with host=b'],
    ]);
    const hostA = lines[1];
    // steps at 0, 1 s and 2 s: nothing yet, then 10 + 30, then 20 + 40
    expect(hostA.data).toEqual({ t: [1_000, 2_000], v: [40, 60] });
    expect(hostA.stats).toMatchObject({ first: 40, last: 60, min: 40, max: 60 });
    expect(hostA.newest).toBe(2_000);

    const averaged = panelLines(cpu, { groupBy: 'dc', aggregate: 'avg' }, 0, 2_000, 2);
    expect(averaged.map((line) => [line.name, line.stats.last])).toEqual([
      ['(no dc)', 100],
      ['dc=eu', 20],
      ['dc=us', 23.5],
    ]);
  });
});
