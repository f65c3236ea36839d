import { describe, expect, it } from 'vitest';
import { Feed } from './feed.js';

const values = (feed: Feed, after = 0, through = Infinity): number[] => Array.from(feed.read(after, through).v);

describe('Feed ring buffer', () => {
  it('keeps points in arrival order and reads by position', () => {
    const feed = new Feed(1, 'a.b', 1000);
    for (let i = 1; i <= 10; i++) feed.push(i * 10, i, i, 0);
    expect(values(feed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(values(feed, 4, 7)).toEqual([5, 6, 7]);
    expect(Array.from(feed.read(4, 7).t)).toEqual([50, 60, 70]);
    expect(feed.last()).toEqual({ t: 100, v: 10 });
  });

  it('grows past its initial capacity without losing points', () => {
    const feed = new Feed(1, 'a', 10_000);
    for (let i = 1; i <= 1000; i++) feed.push(i, i, i, 0);
    expect(feed.size).toBe(1000);
    expect(feed.capacity).toBe(1024);
    expect(values(feed, 990)).toEqual([991, 992, 993, 994, 995, 996, 997, 998, 999, 1000]);
  });

  it('overwrites the oldest point at the per-feed bound and remembers what it evicted', () => {
    const feed = new Feed(1, 'a', 100);
    for (let i = 1; i <= 250; i++) expect(feed.push(i, i, i, 0)).toBe(i > 100 ? 1 : 0);
    expect(feed.size).toBe(100);
    expect(feed.evictedThrough).toBe(150);
    expect(feed.firstPosition).toBe(151);
    expect(values(feed, 0, 153)).toEqual([151, 152, 153]);
    expect(values(feed, 245)).toEqual([246, 247, 248, 249, 250]);
  });

  it('wraps around the ring and still binary-searches correctly', () => {
    const feed = new Feed(1, 'a', 64);
    for (let i = 1; i <= 64 + 37; i++) feed.push(i, i * 2, i, 0);
    for (let after = 37; after <= 101; after += 7) {
      const expected = [];
      for (let p = Math.max(after, 37) + 1; p <= 101; p++) expected.push(p * 2);
      expect(values(feed, after)).toEqual(expected);
    }
  });

  it('holds several points at the same position (one batch) and reads them together', () => {
    const feed = new Feed(1, 'a', 100);
    feed.push(1, 1, 5, 0);
    feed.push(2, 2, 5, 0);
    feed.push(3, 3, 6, 0);
    expect(values(feed, 4, 5)).toEqual([1, 2]);
    expect(values(feed, 5)).toEqual([3]);
  });

  it('evicts through a position and shrinks when mostly empty', () => {
    const feed = new Feed(1, 'a', 100_000);
    for (let i = 1; i <= 4096; i++) feed.push(i, i, i, 0);
    expect(feed.evictThrough(4000)).toBe(4000);
    expect(feed.size).toBe(96);
    expect(feed.evictedThrough).toBe(4000);
    // in one step: halved while less than a quarter is used (96 of 256 is not)
    expect(feed.capacity).toBe(256);
    expect(values(feed, 0, 4003)).toEqual([4001, 4002, 4003]);
  });

  it('filters by time when reading, and finds the first point of a time window', () => {
    const feed = new Feed(1, 'a', 100);
    [5, 1, 9, 3, 7].forEach((t, i) => feed.push(t, t, i + 1, 0));
    expect(Array.from(feed.read(0, 10, 5).t)).toEqual([5, 9, 7]);
    expect(feed.firstPositionFrom(6)).toBe(3);
    expect(feed.firstPositionFrom(100)).toBeUndefined();
    expect(Array.from(feed.readByTime(3, 7).t)).toEqual([5, 3, 7]);
  });

  it('finds the first point of a time window by binary search while times are ordered', () => {
    const feed = new Feed(1, 'a', 1000);
    for (let i = 1; i <= 500; i++) feed.push(i * 10, i, i, 0);
    expect(feed.firstPositionFrom(2500)).toBe(250);
    expect(feed.firstPositionFrom(2501)).toBe(251);
    expect(feed.firstPositionFrom(0)).toBe(1);
    expect(feed.firstPositionFrom(5001)).toBeUndefined();
    // one late point: the search falls back to a scan and still answers exactly
    feed.push(5, 0, 501, 0);
    expect(feed.firstPositionFrom(2500)).toBe(250);
    expect(feed.firstPositionFrom(5001)).toBeUndefined();
  });

  it('reports the rate over the last ten whole seconds', () => {
    const feed = new Feed(1, 'a', 100_000);
    const start = 1_000_000;
    // 20 points per second for 12 seconds
    for (let s = 0; s < 12; s++)
      for (let k = 0; k < 20; k++) feed.push(0, 0, s * 20 + k + 1, start + s * 1000 + k * 50);
    expect(feed.rate(start + 12_000)).toBe(20);
    // silence for 5 seconds: half the window is empty
    expect(feed.rate(start + 17_000)).toBe(10);
    expect(feed.rate(start + 60_000)).toBe(0);
  });
});
