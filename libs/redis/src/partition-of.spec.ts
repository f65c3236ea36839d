import { batchOf } from '@pulseboard/core';
import { describe, expect, it } from 'vitest';
import { partitionOf, splitByPartition } from './partition-of.js';

describe('partitionOf', () => {
  it('gives a feed the same partition every time, within the count', () => {
    expect(partitionOf('host1.cpu', 1)).toBe(0);
    for (const count of [2, 4, 16, 256]) {
      const partition = partitionOf('host1.cpu', count);
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(count);
      expect(partitionOf('host1.cpu', count)).toBe(partition);
    }
    // FNV-1a of "a" is 0xe40c292c
    expect(partitionOf('a', 1000)).toBe(0xe40c292c % 1000);
    expect(partitionOf('a.b.c', 1000)).toBe(0xe40c292c % 1000);
  });

  it('keeps a source’s feeds (its leading segments) in one partition', () => {
    for (const metric of ['cpu', 'mem.used', 'net.eth0.rx']) {
      expect(partitionOf(`host7.${metric}`, 64)).toBe(partitionOf('host7', 64));
      expect(partitionOf(`prod.host7.${metric}`, 64, 2)).toBe(partitionOf('prod.host7', 64, 2));
    }
    const bySecond = new Set(Array.from({ length: 50 }, (_, i) => partitionOf(`prod.host${i}.cpu`, 8, 2)));
    expect(bySecond.size).toBe(8);
    expect(new Set(Array.from({ length: 50 }, (_, i) => partitionOf(`prod.host${i}.cpu`, 8))).size).toBe(1);
  });

  it('spreads many sources evenly', () => {
    const counts = new Array<number>(8).fill(0);
    for (let host = 0; host < 1000; host++) counts[partitionOf(`host${host}.cpu`, 8)]++;
    // 1,000 sources over 8 partitions: 125 each on average
    for (const count of counts) expect(count).toBeGreaterThan(90);
    for (const count of counts) expect(count).toBeLessThan(160);
  });
});

describe('splitByPartition', () => {
  it('splits a batch by partition, keeping every point and the order within each feed', () => {
    const points = [];
    for (let v = 0; v < 30; v++) points.push({ feed: `s${v % 6}.v`, t: 1000 + v, v });
    const parts = splitByPartition(batchOf(points), 4);
    expect(parts.size).toBeGreaterThan(1);
    let total = 0;
    for (const [partition, part] of parts) {
      total += part.feeds.length;
      expect(part.feeds.every((feed) => partitionOf(feed, 4) === partition)).toBe(true);
      for (let i = 0; i < part.feeds.length; i++) expect(part.t[i]).toBe(1000 + part.v[i]);
    }
    expect(total).toBe(30);
    for (let f = 0; f < 6; f++) {
      const part = parts.get(partitionOf(`s${f}.v`, 4))!;
      const values = Array.from(part.v).filter((_, i) => part.feeds[i] === `s${f}.v`);
      expect(values).toEqual([0, 1, 2, 3, 4].map((k) => k * 6 + f));
    }
  });

  it('hands a batch of one source on whole', () => {
    const batch = batchOf([
      { feed: 'host1.cpu', t: 1, v: 1 },
      { feed: 'host1.mem', t: 1, v: 2 },
    ]);
    expect([...splitByPartition(batch, 16)]).toEqual([[partitionOf('host1', 16), batch]]);
    expect(splitByPartition(batchOf([]), 16).size).toBe(0);
  });
});
