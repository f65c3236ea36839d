import { batchOf, decodeCursor, LogUnavailableError } from '@pulseboard/core';
import { partitionOf, RedisStreamLog } from '@pulseboard/redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, getJson, ingest, post } from './support/http.js';
import { RedisServer, redisServerAvailable } from './support/redis.js';
import { startServer, type TestServer } from './support/server.js';
import { SseClient } from './support/sse-client.js';
import { pollUntil } from './support/polling.js';
import { LogTail } from './support/log-tail.js';

const PARTITIONS = 4;
/** Eight feeds of eight sources (a feed's partition follows its first segment): they land in several partitions. */
const FEEDS = Array.from({ length: 8 }, (_, i) => `split${i}.v`);
const SUBSCRIPTION = FEEDS.join(',');

/** One value per feed, all in one batch. */
const row = (v: number) => FEEDS.map((feed) => ({ feed, t: 1000 + v, v }));

describe.runIf(redisServerAvailable())('a log split into partitions over two Redis servers', () => {
  let first: RedisServer;
  let second: RedisServer;
  let prefix = 0;
  const logs: RedisStreamLog[] = [];
  let servers: TestServer[] = [];
  const streams: SseClient[] = [];

  beforeAll(async () => {
    [first, second] = await Promise.all([RedisServer.start(), RedisServer.start()]);
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await Promise.all([...logs.splice(0).map((log) => log.close()), ...servers.map((server) => server.close())]);
    servers = [];
  });
  afterAll(async () => {
    await Promise.all([first?.destroy(), second?.destroy()]);
  });

  const openLog = async (key: string): Promise<RedisStreamLog> => {
    const log = await RedisStreamLog.open({
      url: first.url,
      key,
      retentionMs: 60_000,
      partitions: PARTITIONS,
      partitionUrls: [first.url, second.url],
      blockMs: 200,
    });
    logs.push(log);
    return log;
  };
  const env = (): Record<string, string> => ({
    REDIS_URL: first.url,
    REDIS_PREFIX: `split${prefix}`,
    REDIS_PARTITIONS: String(PARTITIONS),
    REDIS_PARTITION_URLS: `${first.url},${second.url}`,
  });
  const startPair = async (): Promise<[TestServer, TestServer]> => {
    prefix++;
    const a = await startServer({ ...env(), INSTANCE_NAME: 'a' });
    const b = await startServer({ ...env(), INSTANCE_NAME: 'b' });
    servers.push(a, b);
    return [a, b];
  };
  const open = async (url: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const stream = await SseClient.open(url, headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  };

  it('puts each feed in one partition, on the server that holds it, and hands every reader every batch', async () => {
    const key = `split:log:${++prefix}`;
    const a = await openLog(key);
    const b = await openLog(key);
    const [tailA, tailB] = [new LogTail(a), new LogTail(b)];
    await Promise.all([a.warmUp(), b.warmUp()]);
    expect(a.partitions).toBe(PARTITIONS);
    expect(b.epoch).toBe(a.epoch);

    for (let v = 1; v <= 20; v++) await (v % 2 === 0 ? a : b).append(batchOf(row(v)));
    await Promise.all([tailA.until(160), tailB.until(160)]);

    for (const tail of [tailA, tailB]) {
      for (const feed of FEEDS) expect(tail.valuesOf(feed)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      for (const batch of tail.batches) {
        // a batch read from a partition holds only that partition's feeds
        for (const feed of batch.feeds) expect(partitionOf(feed, PARTITIONS)).toBe(batch.partition);
      }
      const positions = tail.batches.map((batch) => batch.position);
      expect(positions).toEqual(positions.map((_, i) => i + 1));
    }
    // the same entries, each with the same partition and origin on both readers
    const entries = (tail: LogTail) =>
      tail.batches.map((batch) => `${batch.partition}:${batch.origin}:${batch.v.join()}`).sort();
    expect(entries(tailB)).toEqual(entries(tailA));

    // partitions 0 and 2 live on the first server, 1 and 3 on the second
    const used = new Set(FEEDS.map((feed) => partitionOf(feed, PARTITIONS)));
    expect(used.size).toBeGreaterThan(2);
    const clients = [new Redis(first.url), new Redis(second.url)];
    try {
      for (const partition of used) {
        const client = clients[partition % 2];
        const other = clients[(partition + 1) % 2];
        expect(await client.xlen(`${key}:p4s1:${partition}`)).toBe(20);
        expect(await other.exists(`${key}:p4s1:${partition}`)).toBe(0);
      }
      expect(await clients[0].get(`${key}:p4s1:epoch`)).toBe(a.epoch);
    } finally {
      for (const client of clients) client.disconnect();
    }
  });

  it('warms a new reader up with every partition merged in the order Redis took the entries', async () => {
    const key = `split:log:${++prefix}`;
    const writer = await openLog(key);
    await writer.warmUp();
    for (let v = 1; v <= 5; v++) await writer.append(batchOf(row(v)));
    const late = await openLog(key);
    const tail = new LogTail(late);
    await late.warmUp();
    for (const feed of FEEDS) expect(tail.valuesOf(feed)).toEqual([1, 2, 3, 4, 5]);
    const arrivals = tail.batches.map((batch) => batch.arrivedAt);
    expect(arrivals).toEqual([...arrivals].sort((x, y) => x - y));
    await writer.append(batchOf(row(6)));
    await tail.until(48);
    for (const feed of FEEDS) expect(tail.valuesOf(feed)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('is another log, with its own epoch and streams, when the layout changes', async () => {
    const key = `split:log:${++prefix}`;
    const four = await openLog(key);
    await four.warmUp();
    await four.append(batchOf(row(1)));
    const two = await RedisStreamLog.open({ url: first.url, key, retentionMs: 60_000, partitions: 2, blockMs: 200 });
    logs.push(two);
    const one = await RedisStreamLog.open({ url: first.url, key, retentionMs: 60_000, blockMs: 200 });
    logs.push(one);
    const tails = [new LogTail(two), new LogTail(one)];
    await Promise.all([two.warmUp(), one.warmUp()]);
    expect(new Set([four.epoch, two.epoch, one.epoch]).size).toBe(3);
    for (const tail of tails) expect(tail.batches).toEqual([]);
  });

  it('refuses appends while one server is away, and reads on from every partition once it is back', async () => {
    const key = `split:log:${++prefix}`;
    const a = await openLog(key);
    const b = await openLog(key);
    const tail = new LogTail(b);
    await Promise.all([a.warmUp(), b.warmUp()]);
    await a.append(batchOf(row(1)));
    await tail.until(8);

    await second.stop();
    await pollUntil(() => !a.isAvailable(), 'the log to notice a partition’s Redis is away');
    await expect(a.append(batchOf(row(2)))).rejects.toBeInstanceOf(LogUnavailableError);
    await second.restart();
    await pollUntil(() => a.isAvailable(), 'the log to reach every partition again');
    await a.append(batchOf(row(3)));
    await tail.until(16, 20_000);
    for (const feed of FEEDS) expect(tail.valuesOf(feed)).toEqual([1, 3]);
  });

  it('resumes on one instance, with no gap and no repeat, a stream a cursor of the other left off', async () => {
    const [a, b] = await startPair();
    const onA = await open(`${a.url}/api/v1/stream?feeds=${SUBSCRIPTION}`);
    await ingest(a.url, row(1));
    for (const feed of FEEDS) await onA.untilPoints(feed, 1);
    const cursor = onA.lastId();
    expect(decodeCursor(cursor ?? '')?.positions).toHaveLength(PARTITIONS);

    await ingest(b.url, row(2));
    await ingest(a.url, row(3));
    for (const feed of FEEDS) await onA.untilPoints(feed, 3);
    const resumed = await open(`${b.url}/api/v1/stream?feeds=${SUBSCRIPTION}`, { 'last-event-id': cursor ?? '' });
    for (const feed of FEEDS) await resumed.untilPoints(feed, 2);
    await ingest(b.url, row(4));
    for (const feed of FEEDS) await Promise.all([resumed.untilPoints(feed, 3), onA.untilPoints(feed, 4)]);
    for (const feed of FEEDS) {
      expect(onA.points(feed).v).toEqual([1, 2, 3, 4]);
      expect(resumed.points(feed).v).toEqual([2, 3, 4]);
    }
    expect(resumed.named('gap')).toEqual([]);

    // the same over polling, from a cursor B issued: a poll answers with what the first tick has, and the
    // partitions' servers are read apart, so a client polls on from each answer's cursor until all is there
    type Poll = { cursor: string; feeds: Record<string, { v: number[] }> };
    const poll = (cursor: string): Promise<Poll> =>
      getJson<Poll>(
        `${a.url}/api/v1/poll?feeds=${SUBSCRIPTION}&cursor=${encodeURIComponent(cursor)}&timeoutMs=20000`,
      ).then((res) => res.body);
    const polling = poll(resumed.lastId() ?? '');
    await ingest(b.url, row(5));
    const polled = new Map<string, number[]>();
    let answer = await polling;
    for (let polls = 1; ; polls++) {
      for (const [feed, chunk] of Object.entries(answer.feeds))
        polled.set(feed, [...(polled.get(feed) ?? []), ...chunk.v]);
      if (FEEDS.every((feed) => polled.has(feed)) || polls === PARTITIONS) break;
      answer = await poll(answer.cursor);
    }
    for (const feed of FEEDS) expect(polled.get(feed)).toEqual([5]);
  });

  it('starts a new instance with the retained history of every partition, and answers 503 while a server is away', async () => {
    const [a] = await startPair();
    await ingest(a.url, row(1));
    await ingest(a.url, row(2));
    const late = await startServer(env());
    servers.push(late);
    for (const feed of FEEDS) {
      const history = await getJson<{ v: number[] }>(`${late.url}/api/v1/feeds/${feed}/points`);
      expect(history.body.v).toEqual([1, 2]);
    }

    await second.stop();
    await pollUntil(async () => (await fetch(`${a.url}/health/ready`)).status === 503, 'a to report itself not ready');
    const refused = await post(a.url, JSON.stringify({ points: row(3) }), 'application/json');
    expect([refused.status, errorCode(refused.body)]).toEqual([503, 'log_unavailable']);
    await second.restart();
    await pollUntil(async () => (await fetch(`${a.url}/health/ready`)).status === 200, 'a to report itself ready');
  });
});
