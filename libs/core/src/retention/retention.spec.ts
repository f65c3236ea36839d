import { describe, expect, it } from 'vitest';
import { ManualClock } from '../test-clock.js';
import { batchOf, type LoggedBatch } from '../log/point-batch.js';
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

  it('counts feeds against the budget, so a flood of distinct names stays bounded', () => {
    // 240 KB: room for about 300 one-point feeds at 33 points' worth each
    const retention = new Retention({ retentionMs: 1e9, maxPointsPerFeed: 1e6, maxBytes: 240_000 });
    let position = 0;
    for (let round = 0; round < 20; round++) {
      const points = Array.from({ length: 100 }, (_, i) => ({ feed: `flood.r${round}.f${i}`, t: 0, v: i }));
      retention.apply(logged(++position, position, points));
      expect(retention.feedCount).toBeLessThanOrEqual(300);
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
});
