import type { Labels } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { SeriesKeys } from './series-keys.js';

/** What the point collector does: a set met before is found, a new (valid) one added. */
function keyOf(keys: SeriesKeys, feed: string, labels: Labels): string {
  return keys.find(feed, labels) ?? keys.add(feed, labels);
}

describe('SeriesKeys', () => {
  it('finds a label set once added, as written, and gives every spelling of it one series key', () => {
    const keys = new SeriesKeys();
    expect(keys.find('cpu.usage', { region: 'eu', host: 'h1' })).toBeUndefined();
    expect(keys.add('cpu.usage', { region: 'eu', host: 'h1' })).toBe('cpu.usage{host="h1",region="eu"}');
    expect(keys.find('cpu.usage', { region: 'eu', host: 'h1' })).toBe('cpu.usage{host="h1",region="eu"}');
    // another order is another set as written, with the same key
    expect(keys.find('cpu.usage', { host: 'h1', region: 'eu' })).toBeUndefined();
    expect(keyOf(keys, 'cpu.usage', { host: 'h1', region: 'eu' })).toBe('cpu.usage{host="h1",region="eu"}');
    expect(keyOf(keys, 'cpu.usage', {})).toBe('cpu.usage');
    expect(keys.find('cpu.usage', {})).toBe('cpu.usage');
  });

  it('tells apart sets that differ in the feed, a key, a value or a label more or less', () => {
    const keys = new SeriesKeys();
    const sets: [string, Labels][] = [
      ['m', { a: 'x', b: 'y' }],
      ['m', { a: 'x' }],
      ['m', { a: 'x', b: 'y', c: 'z' }],
      ['m', { a: 'xb', b: 'y' }],
      ['m', { a: 'x', c: 'y' }],
      ['n', { a: 'x', b: 'y' }],
    ];
    const expected = [
      'm{a="x",b="y"}',
      'm{a="x"}',
      'm{a="x",b="y",c="z"}',
      'm{a="xb",b="y"}',
      'm{a="x",c="y"}',
      'n{a="x",b="y"}',
    ];
    expect(sets.map(([feed, labels]) => keyOf(keys, feed, labels))).toEqual(expected);
    expect(sets.map(([feed, labels]) => keys.find(feed, labels))).toEqual(expected);
  });

  it('never finds a set that is not valid, however close to one added', () => {
    const keys = new SeriesKeys();
    keys.add('m', { host: 'h1' });
    for (const labels of [null, [], 'h1', { host: 1 }, { host: '' }, { host: null }, { host: 'h1', x: 1 }]) {
      expect(keys.find('m', labels), JSON.stringify(labels)).toBeUndefined();
    }
  });

  it('keeps label sets whose hashes collide apart', () => {
    // found by search: these two label sets of feed `m` hash alike
    const keys = new SeriesKeys();
    const sets: Labels[] = [{ host: 'eomyail8' }, { host: 'ljfw6wlb' }, { host: 'eomyail8' }, { host: 'ljfw6wlb' }];
    expect(sets.map((labels) => keyOf(keys, 'm', labels))).toEqual([
      'm{host="eomyail8"}',
      'm{host="ljfw6wlb"}',
      'm{host="eomyail8"}',
      'm{host="ljfw6wlb"}',
    ]);
  });

  it('keeps answering right past the number of sets it remembers', () => {
    const keys = new SeriesKeys();
    const values = Array.from({ length: 25_000 }, (_, i) => String(i % 12_000));
    const got = values.map((value) => keyOf(keys, 'm', { i: value }));
    expect(got).toEqual(values.map((value) => `m{i="${value}"}`));
  });
});
