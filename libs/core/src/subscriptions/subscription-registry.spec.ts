import { describe, expect, it } from 'vitest';
import { batchOf } from '../log/point-batch.js';
import { Retention } from '../retention/retention.js';
import { SubscriptionRegistry } from './subscription-registry.js';

function setup(): { retention: Retention; registry: SubscriptionRegistry; add: (feed: string) => void } {
  const retention = new Retention({ retentionMs: 60_000, maxPointsPerFeed: 100, maxBytes: 1e9 });
  const registry = new SubscriptionRegistry(retention);
  let position = 0;
  const add = (feed: string): void =>
    retention.apply({ ...batchOf([{ feed, t: 1, v: 1 }]), position: ++position, arrivedAt: 0 });
  return { retention, registry, add };
}

const names = (s: { feeds: readonly { name: string }[] }): string[] => s.feeds.map((f) => f.name);

describe('SubscriptionRegistry', () => {
  it('resolves existing feeds by name, then by pattern in the order they were first retained', () => {
    const { registry, add } = setup();
    ['h2.cpu', 'h1.cpu', 'h1.mem', 'other'].forEach(add);
    expect(names(registry.acquire(['h1.>']))).toEqual(['h1.cpu', 'h1.mem']);
    expect(names(registry.acquire(['*.cpu', 'other']))).toEqual(['other', 'h2.cpu', 'h1.cpu']);
    expect(names(registry.acquire(['*.cpu', 'h1.cpu']))).toEqual(['h1.cpu', 'h2.cpu']);
    expect(names(registry.acquire(['other', 'h2.cpu', 'missing']))).toEqual(['h2.cpu', 'other']);
    expect(names(registry.acquire(['missing']))).toEqual([]);
  });

  it('resolves many patterns in one pass over the feeds, as each pattern alone would', () => {
    const { registry, add } = setup();
    for (let host = 0; host < 50; host++)
      for (const metric of ['cpu.user', 'cpu.system', 'mem']) add(`h${host}.${metric}`);
    const patterns = ['*.mem', 'h7.>', 'h1.cpu.*', 'h2.*', 'h3.cpu.user', '*.*.system', 'none.>'];
    const union = new Set(patterns.flatMap((p) => names(registry.acquire([p]))));
    const together = names(registry.acquire(patterns));
    expect(new Set(together)).toEqual(union);
    expect(together.length).toBe(union.size);
  });

  it('interns identical subscriptions regardless of order and duplicates', () => {
    const { registry } = setup();
    const a = registry.acquire(['b', 'a.>']);
    const b = registry.acquire(['a.>', 'b', 'b']);
    expect(b).toBe(a);
    expect(a.holders).toBe(2);
    expect(registry.size).toBe(1);
  });

  it('adds a new feed to every subscription whose pattern matches it', () => {
    const { registry, add } = setup();
    const cpu = registry.acquire(['*.cpu']);
    const host = registry.acquire(['h9.>']);
    const exact = registry.acquire(['h9.cpu']);
    const unrelated = registry.acquire(['x.>']);
    add('h9.cpu');
    expect(names(cpu)).toEqual(['h9.cpu']);
    expect(names(host)).toEqual(['h9.cpu']);
    expect(names(exact)).toEqual(['h9.cpu']);
    expect(names(unrelated)).toEqual([]);
  });

  it('forgets a subscription when its last holder releases it', () => {
    const { registry, add } = setup();
    const a = registry.acquire(['a.>']);
    registry.acquire(['a.>']);
    registry.release(a);
    expect(registry.size).toBe(1);
    registry.release(a);
    expect(registry.size).toBe(0);
    add('a.b');
    expect(names(a)).toEqual([]);
  });

  it('drops removed feeds from subscriptions', () => {
    const { registry, add } = setup();
    add('a.b');
    const s = registry.acquire(['a.*']);
    registry.feedRemoved(s.feeds[0]);
    expect(names(s)).toEqual([]);
  });
});
