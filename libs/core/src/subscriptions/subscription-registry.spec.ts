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

const names = (s: { feeds: readonly { key: string }[] }): string[] => s.feeds.map((f) => f.key);

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

  describe('with labels', () => {
    const series = ['cpu{host="a"}', 'cpu{dc="x",host="b"}', 'cpu', 'mem{host="a"}', 'cpu.user{host="a"}'];

    it('resolves existing series by name and labels, with every matcher', () => {
      const { registry, add } = setup();
      series.forEach(add);
      expect(names(registry.acquire(['cpu']))).toEqual(['cpu', 'cpu{host="a"}', 'cpu{dc="x",host="b"}']);
      expect(names(registry.acquire(['cpu{host="a"}']))).toEqual(['cpu{host="a"}']);
      expect(names(registry.acquire(['cpu{host!="a"}']))).toEqual(['cpu', 'cpu{dc="x",host="b"}']);
      expect(names(registry.acquire(['cpu{dc=""}']))).toEqual(['cpu', 'cpu{host="a"}']);
      expect(names(registry.acquire(['*{host=~"a|b"}']))).toEqual([
        'cpu{host="a"}',
        'cpu{dc="x",host="b"}',
        'mem{host="a"}',
      ]);
      expect(names(registry.acquire(['>{host!~"a"}']))).toEqual(['cpu{dc="x",host="b"}', 'cpu']);
    });

    it('routes a new series to the subscriptions whose selectors match it, and only those', () => {
      const { registry, add } = setup();
      const byHost = registry.acquire(['cpu{host="a"}']);
      const otherHost = registry.acquire(['cpu{host="b"}']);
      const byRegex = registry.acquire(['>{host=~"[a-c]"}']);
      const negated = registry.acquire(['cpu{host!="a"}']);
      const plain = registry.acquire(['cpu']);
      add('cpu{host="a"}');
      expect(names(byHost)).toEqual(['cpu{host="a"}']);
      expect(names(otherHost)).toEqual([]);
      expect(names(byRegex)).toEqual(['cpu{host="a"}']);
      expect(names(negated)).toEqual([]);
      expect(names(plain)).toEqual(['cpu{host="a"}']);
    });

    it('finds the same series however many subscriptions are filed under label values', () => {
      const { registry, add } = setup();
      const held = Array.from({ length: 1000 }, (_, i) => registry.acquire([`cpu{host="h${i}"}`]));
      add('cpu{dc="x",host="h500"}');
      add('cpu{host="h7"}');
      expect(held.filter((s) => s.feeds.length > 0).map(names)).toEqual([
        ['cpu{host="h7"}'],
        ['cpu{dc="x",host="h500"}'],
      ]);
      registry.release(held[7]);
      add('cpu{host="h7",z="1"}');
      expect(names(held[7])).toEqual(['cpu{host="h7"}']);
    });

    it('interns selectors whose matchers differ only in order', () => {
      const { registry } = setup();
      expect(registry.acquire(['cpu{b="1",a="2"}'])).toBe(registry.acquire(['cpu{a="2",b="1"}']));
    });

    it('files a choice of literal values under each value, and takes it back on release', () => {
      const { registry, add } = setup();
      const choice = registry.acquire(['cpu{host=~"a|b"}']);
      const grouped = registry.acquire(['cpu{host=~"(c|d)"}']);
      add('cpu{host="b"}');
      add('cpu{host="d"}');
      add('cpu{host="ab"}');
      expect(names(choice)).toEqual(['cpu{host="b"}']);
      expect(names(grouped)).toEqual(['cpu{host="d"}']);
      registry.release(choice);
      add('cpu{host="a"}');
      expect(names(choice)).toEqual(['cpu{host="b"}']);
    });
  });
});
