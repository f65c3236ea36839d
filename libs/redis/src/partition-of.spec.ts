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
  });

  it('spreads many feeds evenly', () => {
    const counts = new Array<number>(8).fill(0);
    for (let host = 0; host < 200; host++)
      for (const metric of ['cpu', 'mem', 'net.rx', 'net.tx', 'disk']) {
        counts[partitionOf(`host${host}.${metric}`, 8)]++;
      }
    // 1,000 feeds over 8 partitions: 125 each on average
    for (const count of counts) expect(count).toBeGreaterThan(90);
    for (const count of counts) expect(count).toBeLessThan(160);
  });
});

describe('splitByPartition', () => {
  it('splits a batch by partition, keeping every point and the order within each feed', () => {
    const points = [];
    for (let v = 0; v < 30; v++) points.push({ feed: `f${v % 6}`, t: 1000 + v, v });
    const parts = splitByPartition(batchOf(points), 4);
    let total = 0;
    for (const [partition, part] of parts) {
      total += part.feeds.length;
      expect(part.feeds.every((feed) => partitionOf(feed, 4) === partition)).toBe(true);
      for (let i = 0; i < part.feeds.length; i++) expect(part.t[i]).toBe(1000 + part.v[i]);
    }
    expect(total).toBe(30);
    for (let f = 0; f < 6; f++) {
      const part = parts.get(partitionOf(`f${f}`, 4))!;
      const values = Array.from(part.v).filter((_, i) => part.feeds[i] === `f${f}`);
      expect(values).toEqual([0, 1, 2, 3, 4].map((k) => k * 6 + f));
    }
  });
});
