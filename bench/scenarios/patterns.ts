import { performance } from 'node:perf_hooks';
import { batchOf, compileSelector, Retention, SubscriptionRegistry } from '@pulseboard/core';
import { parsePattern, patternMatches, seriesKey, type FeedPattern, type Labels } from '@pulseboard/protocol';
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
  return {
    status: 'ok',
    feeds,
    subscriptions,
    newFeeds,
    acquireUs,
    trieNs,
    scanNs,
    matched,
    ...runLabelled(subscriptions, newFeeds),
  };
}

/**
 * Distinct selectors as dashboards write them, each with label matchers:
 * most by host; by data centre and host with a negative matcher; Grafana's
 * multi-value form (`host=~"h1|h2|h3"`); a regex over regions with a host;
 * by tenant over every name; and one in a hundred a regex no index can file
 * (`host=~"h12[0-9]+"`), tested against every new series of its names.
 */
function labelledSelectors(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const metric = METRICS[i % METRICS.length];
    switch (i % 10) {
      case 0:
        return `${metric}{dc="dc${i % 20}",env!="test",host="h${i}"}`;
      case 1:
        return i % 100 === 1 ? `*.*{host=~"h${i}[0-9]+"}` : `${metric}{host=~"h${i}|h${i + 1}|h${i + 2}"}`;
      case 2:
        return `>{tenant="t${i}"}`;
      case 3:
        return `${metric}{region=~"eu-[0-1]",host="h${i}"}`;
      default:
        return `${metric}{host="h${i}"}`;
    }
  });
}

/** What a Telegraf-like agent attaches: 8 labels, over as many hosts and tenants as there are selectors. */
function agentLabels(i: number, spread: number): Labels {
  return {
    host: `h${(i * 7) % spread}`,
    dc: `dc${i % 20}`,
    region: `eu-${i % 4}`,
    env: i % 10 === 0 ? 'test' : 'prod',
    tenant: `t${(i * 3) % spread}`,
    service: `svc${i % 30}`,
    os: 'linux',
    pod: `p${i}`,
  };
}

/** Routing new series with 8 labels among subscriptions with label matchers, against testing every selector. */
function runLabelled(
  subscriptions: number,
  newSeries: number,
): Pick<PatternsResult, 'labelledNs' | 'labelledScanNs' | 'labelledMatched'> {
  const retention = new Retention({ retentionMs: 3_600_000, maxPointsPerFeed: 16, maxBytes: 1e9 });
  const registry = new SubscriptionRegistry(retention);
  const selectors = labelledSelectors(subscriptions);
  for (const selector of selectors) registry.acquire([selector]);
  const keys = Array.from({ length: newSeries }, (_, i) =>
    seriesKey(METRICS[i % METRICS.length], agentLabels(i, subscriptions)),
  );
  let position = 0;
  let started = performance.now();
  for (const key of keys)
    retention.apply({ ...batchOf([{ feed: key, t: 0, v: 0 }]), position: ++position, arrivedAt: 0 });
  const labelledNs = ((performance.now() - started) * 1e6) / keys.length;

  const compiled = selectors.map((s) => compileSelector(s));
  const series = [...retention.all()];
  let labelledMatched = 0;
  started = performance.now();
  for (const feed of series) {
    for (const selector of compiled) {
      if (patternMatches(selector.pattern, feed.segments) && selector.matchesLabels(feed.labels)) labelledMatched++;
    }
  }
  const labelledScanNs = ((performance.now() - started) * 1e6) / series.length;
  registry.close();
  return { labelledNs, labelledScanNs, labelledMatched };
}
