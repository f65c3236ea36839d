import { Retention, SubscriptionRegistry, feedBytes } from '@pulseboard/core';
import { parseLineProtocol } from '@pulseboard/ingest';

/*
 * What a feed costs in memory, to keep `RETENTION_BYTES` honest: creates
 * feeds in a `Retention` (with a `SubscriptionRegistry` listening, as in the
 * server) from line-protocol bodies parsed the way ingest parses them, one
 * point each, and compares the heap plus array buffers before and after,
 * per feed. Then a `>` subscription is resolved, to show what holding a feed
 * in a subscription adds. Prints what retention charges beside each.
 *
 *   node --expose-gc bench/dist/tools/feed-cost.js [feeds]
 */

const BATCH = 10_000;

/**
 * Names of three shapes: short, typical, and the longest with the most
 * segments a name may have; then a series with 8 labels, as an agent sends
 * them (line protocol tags, so the series is `cpu.usage{arch=…,…,host=…}`).
 */
const SHAPES: { label: string; name: (i: number) => string }[] = [
  { label: 'short (h123456.v)', name: (i) => `h${i}.v` },
  { label: 'typical (fleet.eu-west-1.host123456.cpu.user)', name: (i) => `fleet.eu-west-1.host${i}.cpu.user` },
  {
    label: '197 characters, 49 segments of up to three',
    name: (i) => `${String(i).padStart(7, '0')}${'.abc'.repeat(47)}.a`,
  },
  {
    label: '8 labels (cpu.usage{arch="amd64",…,host="web123456.example.com",…}, 171 characters)',
    name: (i) =>
      `cpu,host=web${i}.example.com,dc=fra1,region=eu-central,env=prod,service=checkout,team=payments,os=linux,arch=amd64.usage`,
  },
];

function collect(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  return gc;
}

function memory(gc: () => void): number {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Line protocol for `count` feeds of a shape: the feed name is the measurement (with its tags) and the field key. */
function body(name: (i: number) => string, from: number, count: number): string {
  const lines: string[] = [];
  for (let i = from; i < from + count; i++) {
    const full = name(i);
    const dot = full.lastIndexOf('.');
    lines.push(`${full.slice(0, dot)} ${full.slice(dot + 1)}=1`);
  }
  return lines.join('\n');
}

function measure(label: string, name: (i: number) => string, feeds: number, gc: () => void): void {
  const retention = new Retention({
    retentionMs: 3_600_000,
    maxPointsPerFeed: 100_000,
    maxBytes: Number.MAX_SAFE_INTEGER,
  });
  const registry = new SubscriptionRegistry(retention);
  const before = memory(gc);
  let position = 0;
  for (let from = 0; from < feeds; from += BATCH) {
    const parsed = parseLineProtocol(body(name, from, BATCH), {
      now: 0,
      maxPoints: BATCH,
      maxDetails: 10,
      maxDepth: 32,
      precision: 'ms',
    });
    if (!parsed.ok) throw new Error(parsed.message);
    retention.apply({ ...parsed.batch, position: ++position, arrivedAt: Date.now() });
    // big batches are applied over several turns; here, at once
    retention.flush();
  }
  const created = memory(gc);
  const subscription = registry.acquire(['>']);
  const subscribed = memory(gc);

  let charged = 0;
  for (const feed of retention.all()) charged += feedBytes(feed);
  const perFeed = (created - before) / feeds;
  const out = [
    label,
    `  ${retention.feedCount} feeds, ${retention.stats().points} points`,
    // what retention charges: the feed's weight, its point (24) and the batch's record of the feed (8)
    `  measured ${perFeed.toFixed(0)} bytes per feed of one point, charged ${(charged / feeds + 24 + 8).toFixed(0)}`,
    `  in a subscription: ${((subscribed - created) / subscription.feeds.length).toFixed(0)} bytes more per feed`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  registry.release(subscription);
  registry.close();
}

function main(): void {
  const gc = collect();
  const feeds = Math.max(BATCH, Math.round(Number(process.argv[2] ?? 200_000) / BATCH) * BATCH);
  for (const shape of SHAPES) measure(shape.label, shape.name, feeds, gc);
}

main();
