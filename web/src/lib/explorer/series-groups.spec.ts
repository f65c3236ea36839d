import { describe, expect, it } from 'vitest';
import type { SeriesInfo } from '../data/api';
import { listedSeries } from '../data/testing/listed-series';
import { groupByName, isPlainFeed, labelText } from './series-groups';

function info(series: string, rate = 1): SeriesInfo {
  return listedSeries(series, { rate, retained: 10 });
}

describe('groupByName', () => {
  it('lists each name once with its label keys, their value counts and its series count', () => {
    const groups = groupByName([
      info('cpu.usage{dc="eu",host="b"}'),
      info('mem.used'),
      info('cpu.usage{dc="eu",host="a"}', 2),
      info('cpu.usage{dc="us",host="a"}'),
      info('cpu.usage{host="c"}'),
    ]);
    expect(groups.map((group) => group.name)).toEqual(['cpu.usage', 'mem.used']);
    const [cpu, mem] = groups;
    expect(cpu.series.map((s) => s.series)).toEqual([
      'cpu.usage{dc="eu",host="a"}',
      'cpu.usage{dc="eu",host="b"}',
      'cpu.usage{dc="us",host="a"}',
      'cpu.usage{host="c"}',
    ]);
    expect(cpu.labels).toEqual([
      { key: 'dc', values: 2 },
      { key: 'host', values: 3 },
    ]);
    expect([cpu.rate, cpu.retained]).toEqual([5, 40]);
    expect(isPlainFeed(cpu)).toBe(false);
    expect(mem.labels).toEqual([]);
    expect(isPlainFeed(mem)).toBe(true);
  });

  it('calls a series of a group by its labels', () => {
    expect(labelText(info('cpu.usage{host="a",dc="eu"}'))).toBe('dc=eu, host=a');
    expect(labelText(info('cpu.usage'))).toBe('(no labels)');
  });
});
