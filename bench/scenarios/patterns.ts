import { performance } from 'node:perf_hooks';
import { batchOf, Retention, SubscriptionRegistry } from '@pulseboard/core';
import { parsePattern, patternMatches, type FeedPattern } from '@pulseboard/protocol';
import type { PatternsResult } from '../lib/results.js';

/*
 * Subscription routing at scale, in one process: thousands of feeds and
 * thousands of distinct pattern subscriptions. When a new feed appears, the
 * engine finds the subscriptions it joins through a pattern trie; the
 * baseline is what a plain implementation does, testing every subscription's
 * patterns against the new name.
 */

const HOSTS = 1000;
const METRICS = [
  'cpu.user',
  'cpu.system',
  'mem.free',
  'mem.used',
  'disk.read',
  'disk.write',
  'net.rx',
  'net.tx',
  'load.1m',
  'load.5m',
];

function subscriptionPatterns(count: number): string[][] {
  const sets: string[][] = [];
  for (let i = 0; i < count; i++) {
    const host = `host${i % HOSTS}`;
    const metric = METRICS[i % METRICS.length];
    if (i < HOSTS) sets.push([`${host}.>`]);
    else if (i < HOSTS + METRICS.length) sets.push([`*.${metric}`]);
    else sets.push([`${host}.${metric}`, `host${(i * 7) % HOSTS}.*.${metric.split('.')[1]}`]);
  }
  return sets;
}

export function runPatterns(feeds = 10_000, subscriptions = 10_000, newFeeds = 10_000): PatternsResult {
  const retention = new Retention({ retentionMs: 3_600_000, maxPointsPerFeed: 16, maxBytes: 1e9 });
  const registry = new SubscriptionRegistry(retention);
  let position = 0;
  const addFeed = (name: string): void =>
    retention.apply({ ...batchOf([{ feed: name, t: 0, v: 0 }]), position: ++position, arrivedAt: 0 });
  for (let i = 0; i < feeds; i++) addFeed(`host${i % HOSTS}.${METRICS[Math.floor(i / HOSTS) % METRICS.length]}`);

  const sets = subscriptionPatterns(subscriptions);
  let started = performance.now();
  for (const set of sets) registry.acquire(set);
  const acquireUs = ((performance.now() - started) * 1000) / sets.length;

  const names = Array.from({ length: newFeeds }, (_, i) => `host${i % HOSTS}.extra${i}.cpu`);
  started = performance.now();
  for (const name of names) addFeed(name);
  const trieNs = ((performance.now() - started) * 1e6) / names.length;

  // the baseline: every subscription's patterns tested against each new name
  const parsed: FeedPattern[][] = sets.map((set) => set.map(parsePattern));
  let matched = 0;
  started = performance.now();
  for (const name of names) {
    const segments = name.split('.');
    for (const patterns of parsed) if (patterns.some((p) => patternMatches(p, segments))) matched++;
  }
  const scanNs = ((performance.now() - started) * 1e6) / names.length;
  registry.close();
  return { status: 'ok', feeds, subscriptions, newFeeds, acquireUs, trieNs, scanNs, matched };
}
