import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { longestStall } from './support/event-loop.js';
import { hardenedSuite } from './support/hardened-suite.js';
import { post } from './support/http.js';
import { metricValue } from './support/metrics.js';
import { startServer } from './support/server.js';

/** Line protocol with one point for each of `count` feeds named `<prefix><i>.v`. */
function distinctFeeds(prefix: string, count: number, from = 0): string {
  const lines: string[] = [];
  for (let i = from; i < from + count; i++) lines.push(`${prefix}${i} v=1`);
  return lines.join('\n');
}

async function ingestLines(url: string, body: string): Promise<void> {
  const res = await post(url, body, 'text/plain');
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
}

// the event loop of the server is this process's: no request may block it for much more than a tick (BATCH_MS 50)
const MAX_STALL_MS = 300;

describe('work one request makes the server do', () => {
  const suite = hardenedSuite(() => startServer({ MAX_SERIES: '1000000', MAX_SERIES_PER_NAME: '1000000' }));

  it('takes a line-protocol batch of 100,000 new feed names without stalling other clients', async () => {
    const body = distinctFeeds('burst', 100_000);
    expect(body.length).toBeGreaterThan(1_000_000);
    const stall = await longestStall(async () => {
      await ingestLines(suite.server.url, body);
      await suite.bystander.stillServes();
    });
    expect(await metricValue(suite.server.url, 'pulseboard_feeds')).toBeGreaterThanOrEqual(100_000);
    expect(stall).toBeLessThan(MAX_STALL_MS);
    await suite.bystander.stillServes();
  });

  it('opens a stream of 1,000 patterns among 100,000 retained feeds without stalling other clients', async () => {
    for (let from = 0; from < 100_000; from += 10_000) {
      await ingestLines(suite.server.url, distinctFeeds('rack', 10_000, from));
    }
    // batches apply in order: once the bystander's point is delivered, every rack feed is retained
    await suite.bystander.stillServes();
    // each pattern matches one retained feed (rack100.* matches rack100.v)
    const patterns = Array.from({ length: 1000 }, (_, i) => `rack${i * 100}.*`);
    let points = 0;
    const stall = await longestStall(async () => {
      const stream = await suite.stream(`/api/v1/stream?feeds=${patterns.join(',')}`);
      expect(stream.status).toBe(200);
      await stream.until((c) => c.named('hello').length === 1, 10_000, 'the hello');
      await ingestLines(suite.server.url, 'rack99900 v=2');
      await stream.untilPoints('rack99900.v', 1);
      points = stream.points('rack99900.v').v[0];
      await suite.bystander.stillServes();
    });
    expect(points).toBe(2);
    expect(stall).toBeLessThan(MAX_STALL_MS);
    await suite.bystander.stillServes();
  });
});

describe('the retention byte budget', () => {
  const budget = 48 * 1024 * 1024;
  const suite = hardenedSuite(() =>
    startServer({ RETENTION_BYTES: String(budget), MAX_SERIES: '1000000', MAX_SERIES_PER_NAME: '1000000' }),
  );

  it('holds the heap that many distinct feed names take to RETENTION_BYTES, and reports it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const memory = (): number => {
      gc();
      gc();
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    const before = memory();
    // far more names than fit, in batches small enough for the budget to drop the oldest
    for (let batch = 0; batch < 20; batch++) {
      await ingestLines(suite.server.url, distinctFeeds(`spread${batch}.host`, 10_000));
    }
    // batches apply (and the oldest are evicted) over several turns: the bystander's point comes after
    await suite.bystander.stillServes();
    const grown = memory() - before;
    const feeds = await metricValue(suite.server.url, 'pulseboard_feeds');
    const reported = await metricValue(suite.server.url, 'pulseboard_retained_bytes');
    expect(feeds).toBeLessThan(100_000);
    expect(reported).toBeLessThanOrEqual(budget);
    expect(grown).toBeLessThan(budget * 1.5);
    expect(reported).toBeGreaterThan(grown / 1.5);
    expect(reported).toBeLessThan(grown * 1.5);
    await suite.bystander.stillServes();
  });
});
