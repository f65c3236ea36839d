import { describe, expect, it } from 'vitest';
import { ManualClock } from '../test-clock.js';
import { batchOf, type LoggedBatch } from '../log/point-batch.js';
import { feedBytes, type Feed } from './feed.js';
import { Retention } from './retention.js';

function logged(position: number, arrivedAt: number, points: { feed: string; t: number; v: number }[]): LoggedBatch {
  return { ...batchOf(points), position, arrivedAt };
}

describe('Retention', () => {
  it('creates feeds on first point and tells listeners', () => {
    const retention = new Retention({ retentionMs: 60_000, maxPointsPerFeed: 100, maxBytes: 1e9 });
    const added: string[] = [];
    retention.listen({ feedAdded: (f) => added.push(f.name), feedRemoved: () => undefined });
    retention.apply(
      logged(1, 0, [
        { feed: 'a', t: 1, v: 1 },
        { feed: 'b', t: 1, v: 2 },
        { feed: 'a', t: 2, v: 3 },
      ]),
    );
    expect(added).toEqual(['a', 'b']);
    expect(retention.get('a')?.size).toBe(2);
    expect(retention.head).toBe(1);
    expect(retention.stats().points).toBe(3);
  });

  it('ignores a batch it has already applied', () => {
    const retention = new Retention({ retentionMs: 60_000, maxPointsPerFeed: 100, maxBytes: 1e9 });
    retention.apply(logged(1, 0, [{ feed: 'a', t: 1, v: 1 }]));
    retention.apply(logged(1, 0, [{ feed: 'a', t: 1, v: 1 }]));
    expect(retention.get('a')?.size).toBe(1);
  });

  it('evicts by age of arrival, not by point time, and forgets silent empty feeds', () => {
    const clock = new ManualClock(100_000);
    const retention = new Retention({ retentionMs: 10_000, maxPointsPerFeed: 100, maxBytes: 1e9, clock });
    // an old timestamp arriving now is kept for the whole window
    retention.apply(logged(1, clock.now(), [{ feed: 'old', t: 5, v: 1 }]));
    clock.advance(5_000);
    retention.apply(logged(2, clock.now(), [{ feed: 'new', t: clock.now(), v: 2 }]));
    clock.advance(4_000);
    retention.sweep();
    expect(retention.get('old')?.size).toBe(1);
    clock.advance(1_500);
    retention.sweep();
    // its only point aged out and it has been silent for a window: it is no longer listed
    expect(retention.get('old')).toBeUndefined();
    expect(retention.get('new')?.size).toBe(1);
    expect(retention.get('new')?.evictedThrough).toBe(0);
    clock.advance(5_000);
    retention.sweep();
    expect(retention.get('new')).toBeUndefined();
    expect(retention.feedCount).toBe(0);
    expect(retention.stats().points).toBe(0);
  });

  it('keeps the whole retention within the byte budget, dropping the oldest batches', () => {
    // 24 bytes per point and per batch: a 24 KB budget holds 1000 of them
    const retention = new Retention({ retentionMs: 1e9, maxPointsPerFeed: 1e6, maxBytes: 24_000 });
    for (let p = 1; p <= 50; p++) {
      const points = Array.from({ length: 100 }, (_, i) => ({ feed: `f${i % 4}`, t: p, v: i }));
      retention.apply(logged(p, p, points));
      expect(retention.stats().points + retention.batches.size).toBeLessThanOrEqual(1000);
    }
    const feed = retention.get('f0')!;
    expect(feed.lastPosition).toBe(50);
    expect(feed.evictedThrough).toBeGreaterThan(0);
    expect(feed.firstPosition).toBe(feed.evictedThrough + 1);
  });

  it('counts what feeds weigh against the budget, so a flood of distinct names stays bounded', () => {
    const retention = new Retention({ retentionMs: 1e9, maxPointsPerFeed: 1e6, maxBytes: 240_000 });
    let position = 0;
    for (let round = 0; round < 20; round++) {
      const points = Array.from({ length: 100 }, (_, i) => ({ feed: `flood.r${round}.f${i}`, t: 0, v: i }));
      retention.apply(logged(++position, position, points));
      const feed = retention.get(`flood.r${round}.f0`)!;
      // each feed weighs several hundred bytes besides its point: far fewer than 240 KB / 24 fit
      expect(retention.feedCount).toBeLessThanOrEqual(240_000 / (feedBytes(feed) + 24));
      expect(retention.stats().bytes).toBeLessThanOrEqual(240_000);
    }
    // the newest feeds are the ones kept
    expect(retention.get('flood.r19.f99')?.size).toBe(1);
    expect(retention.get('flood.r0.f0')).toBeUndefined();
  });

  it('counts indexed batches against the budget, so many one-point batches stay bounded too', () => {
    const retention = new Retention({ retentionMs: 1e9, maxPointsPerFeed: 1e6, maxBytes: 24_000 });
    for (let p = 1; p <= 5000; p++) retention.apply(logged(p, p, [{ feed: 'tiny', t: p, v: p }]));
    expect(retention.stats().points + retention.batches.size).toBeLessThanOrEqual(1000);
    expect(retention.get('tiny')?.lastPosition).toBe(5000);
  });

  it('applies a batch of many new feeds over several turns, and later batches after it', () => {
    const turns: (() => void)[] = [];
    const retention = new Retention({
      retentionMs: 1e9,
      maxPointsPerFeed: 100,
      maxBytes: 1e12,
      defer: (work) => turns.push(work),
    });
    const added: string[] = [];
    retention.listen({ feedAdded: (f) => added.push(f.name), feedRemoved: () => undefined });
    retention.apply(logged(1, 0, [{ feed: 'old', t: 1, v: 1 }]));
    const many = Array.from({ length: 12_000 }, (_, i) => ({ feed: `new.f${i}`, t: 2, v: i }));
    retention.apply(logged(2, 0, [...many, { feed: 'old', t: 2, v: 2 }]));
    retention.apply(logged(3, 0, [{ feed: 'old', t: 3, v: 3 }]));
    // the first turn created its share of feeds; what they hold is not read before the batch is whole
    expect(retention.feedCount).toBeGreaterThan(1);
    expect(retention.feedCount).toBeLessThan(12_001);
    expect(turns.length).toBe(1);
    expect(retention.head).toBe(1);
    expect(retention.get('old')?.lastPosition).toBe(1);
    while (turns.length > 0) turns.shift()!();
    expect(retention.head).toBe(3);
    expect(retention.feedCount).toBe(12_001);
    expect(added.length).toBe(12_001);
    expect(Array.from(retention.get('old')!.read(0, 3).v)).toEqual([1, 2, 3]);
    expect(retention.get('new.f11999')?.lastPosition).toBe(2);
    expect(retention.stats().points).toBe(12_003);
  });

  it('applies the rest at once when flushed', () => {
    const turns: (() => void)[] = [];
    const retention = new Retention({
      retentionMs: 1e9,
      maxPointsPerFeed: 100,
      maxBytes: 1e12,
      defer: (w) => turns.push(w),
    });
    retention.apply(
      logged(
        1,
        0,
        Array.from({ length: 20_000 }, (_, i) => ({ feed: `f${i}`, t: 1, v: i })),
      ),
    );
    expect(retention.head).toBe(0);
    retention.flush();
    expect(retention.head).toBe(1);
    expect(retention.feedCount).toBe(20_000);
    turns.forEach((turn) => turn());
    expect(retention.stats().points).toBe(20_000);
  });

  it('evicts only the feeds of the batches evicted, and forgets the feeds it empties', () => {
    const clock = new ManualClock(0);
    const retention = new Retention({ retentionMs: 10_000, maxPointsPerFeed: 100, maxBytes: 1e12, clock });
    retention.apply(
      logged(1, 0, [
        { feed: 'a', t: 1, v: 1 },
        { feed: 'b', t: 1, v: 1 },
        { feed: 'a', t: 1, v: 2 },
      ]),
    );
    clock.advance(5_000);
    retention.apply(
      logged(2, clock.now(), [
        { feed: 'b', t: 2, v: 3 },
        { feed: 'c', t: 2, v: 4 },
      ]),
    );
    const visited = new Set<Feed>();
    for (const name of ['a', 'b', 'c']) {
      const feed = retention.get(name)!;
      const evict = feed.evictThrough.bind(feed);
      feed.evictThrough = (position: number): number => {
        visited.add(feed);
        return evict(position);
      };
    }
    clock.advance(6_000);
    retention.sweep();
    expect([...visited].map((f) => f.name).sort()).toEqual(['a', 'b']);
    expect(retention.get('a')).toBeUndefined();
    expect(Array.from(retention.get('b')!.read(0, 2).v)).toEqual([3]);
    expect(retention.stats().points).toBe(2);
  });

  it('evicts a batch of many feeds over several turns, then looks at the budget again', () => {
    const turns: (() => void)[] = [];
    const run = (): void => {
      while (turns.length > 0) turns.shift()!();
    };
    // a batch of 3,000 one-point feeds weighs about 2.3 MB: the second goes past the budget
    const retention = new Retention({
      retentionMs: 1e9,
      maxPointsPerFeed: 100,
      maxBytes: 4e6,
      defer: (w) => turns.push(w),
    });
    const batch = (p: number): LoggedBatch =>
      logged(
        p,
        p,
        Array.from({ length: 3000 }, (_, i) => ({ feed: `b${p}.f${i}`, t: p, v: i })),
      );
    retention.apply(batch(1));
    run();
    retention.apply(batch(2));
    while (retention.head < 2) turns.shift()!();
    // the first turn's share of the old feeds is gone, the rest waits for the next turn
    expect(retention.get('b1.f0')).toBeUndefined();
    expect(retention.get('b1.f2999')).toBeDefined();
    run();
    expect(retention.get('b1.f2999')).toBeUndefined();
    expect(retention.feedCount).toBe(3000);
    expect(retention.stats().points).toBe(3000);
    expect(retention.stats().bytes).toBeLessThanOrEqual(4e6);
  });

  describe('series with labels', () => {
    const point = (feed: string) => ({ feed, t: 1, v: 1 });

    it('keeps each series apart under its key, with its name and labels', () => {
      const retention = new Retention({ retentionMs: 60_000, maxPointsPerFeed: 100, maxBytes: 1e9 });
      retention.apply(logged(1, 0, ['coll.v{host="a"}', 'coll.v{dc="a"}', 'coll.v'].map(point)));
      const feed = retention.get('coll.v{host="a"}')!;
      expect([feed.key, feed.name, feed.labels, feed.segments]).toEqual([
        'coll.v{host="a"}',
        'coll.v',
        { host: 'a' },
        ['coll', 'v'],
      ]);
      expect([...retention.named('coll.v')].map((f) => f.key)).toEqual([
        'coll.v',
        'coll.v{host="a"}',
        'coll.v{dc="a"}',
      ]);
      expect(retention.seriesOf('coll.v')).toBe(3);
      expect(feedBytes(feed)).toBeGreaterThan(feedBytes(retention.get('coll.v')!));
    });

    it('forgets a labelled series by name too once its points are gone', () => {
      const clock = new ManualClock(0);
      const retention = new Retention({ retentionMs: 1000, maxPointsPerFeed: 100, maxBytes: 1e9, clock });
      retention.apply(logged(1, 0, [point('m{a="1"}')]));
      clock.advance(5000);
      retention.sweep();
      retention.flush();
      expect(retention.seriesOf('m')).toBe(0);
      expect([...retention.named('m')]).toEqual([]);
    });

    it('names the limit a batch would pass, counting only the series it would add', () => {
      const retention = new Retention({
        retentionMs: 60_000,
        maxPointsPerFeed: 100,
        maxBytes: 1e9,
        maxSeries: 4,
        maxSeriesPerName: 2,
      });
      retention.apply(logged(1, 0, ['m{h="1"}', 'n'].map(point)));
      expect(retention.seriesLimitProblem(['m{h="1"}', 'm{h="2"}', 'm{h="2"}', 'n'])).toBeUndefined();
      expect(retention.seriesLimitProblem(['m{h="2"}', 'm{h="3"}'])).toEqual({
        limit: 'series_per_name',
        name: 'm',
        max: 2,
        existing: 1,
        adding: 2,
      });
      expect(retention.seriesLimitProblem(['a', 'b', 'c'])).toEqual({
        limit: 'series',
        max: 4,
        existing: 2,
        adding: 3,
      });
    });

    it('drops the points of series past a limit as it applies the log, never series it holds', () => {
      const retention = new Retention({
        retentionMs: 60_000,
        maxPointsPerFeed: 100,
        maxBytes: 1e9,
        maxSeriesPerName: 2,
      });
      retention.apply(logged(1, 0, ['m{h="1"}', 'm{h="2"}'].map(point)));
      retention.apply(logged(2, 0, ['m{h="3"}', 'm{h="1"}', 'm{h="3"}', 'other'].map(point)));
      expect([...retention.all()].map((f) => [f.key, f.size])).toEqual([
        ['m{h="1"}', 2],
        ['m{h="2"}', 1],
        ['other', 1],
      ]);
      expect(retention.stats()).toMatchObject({ points: 4, refusedPoints: 2, head: 2 });
    });
  });
});
