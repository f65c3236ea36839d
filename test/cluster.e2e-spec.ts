import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, getJson, ingest, post } from './support/http.js';
import { RedisServer, redisServerAvailable } from './support/redis.js';
import { startServer, type TestServer } from './support/server.js';
import { SseClient, type PointsData } from './support/sse-client.js';

const points = (feed: string, values: number[]) => values.map((v) => ({ feed, v }));

describe.runIf(redisServerAvailable())('two instances sharing a Redis stream', () => {
  let redis: RedisServer;
  let a: TestServer;
  let b: TestServer;
  const streams: SseClient[] = [];
  let key = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  const startPair = async (): Promise<void> => {
    const env = { REDIS_URL: redis.url, REDIS_STREAM_KEY: `cluster:${++key}` };
    a = await startServer(env);
    b = await startServer(env);
  };
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await Promise.all([a?.close(), b?.close()]);
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  const open = async (url: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const stream = await SseClient.open(url, headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  };

  it('streams on one instance what was ingested on the other, and resumes there with a cursor from the first', async () => {
    await startPair();
    const onB = await open(`${b.url}/api/v1/stream?feeds=c.>`);
    const onA = await open(`${a.url}/api/v1/stream?feeds=c.>`);
    await ingest(a.url, points('c.v', [1, 2, 3]));
    // 4 and 5 come in a later frame than 1-3, so that a cursor lies between them
    await onA.untilPoints('c.v', 3);
    await ingest(b.url, points('c.v', [4, 5]));
    await Promise.all([onA.untilPoints('c.v', 5), onB.untilPoints('c.v', 5)]);
    expect(onB.points('c.v').v).toEqual([1, 2, 3, 4, 5]);
    expect(onA.points('c.v').v).toEqual([1, 2, 3, 4, 5]);

    // a cursor issued by A after 1-3 resumes on B with exactly 4 and 5
    const cursorAfterThree = onA
      .named('points')
      .find((event) => (JSON.parse(event.data) as PointsData).feeds['c.v']?.v.includes(3))?.id;
    expect(cursorAfterThree).toBeDefined();
    const resumed = await open(`${b.url}/api/v1/stream?feeds=c.>`, { 'last-event-id': cursorAfterThree ?? '' });
    await resumed.untilPoints('c.v', 2);
    expect(resumed.points('c.v').v).toEqual([4, 5]);
    expect(resumed.named('gap')).toEqual([]);

    const feeds = await getJson<{ name: string; retained: number }[]>(`${b.url}/api/v1/feeds?match=c.>`);
    expect(feeds.body).toMatchObject([{ name: 'c.v', retained: 5 }]);
  });

  it('starts a new instance with the retained history of the stream', async () => {
    await startPair();
    await ingest(a.url, points('warm.v', [10, 20, 30]));
    const onA = await open(`${a.url}/api/v1/stream?feeds=warm.v`);
    await ingest(a.url, points('warm.v', [40]));
    await onA.untilPoints('warm.v', 1);

    const late = await startServer({ REDIS_URL: redis.url, REDIS_STREAM_KEY: `cluster:${key}` });
    try {
      const history = await getJson<{ t: number[]; v: number[] }>(`${late.url}/api/v1/feeds/warm.v/points`);
      expect(history.body.v).toEqual([10, 20, 30, 40]);
    } finally {
      await late.close();
    }
  });

  it('answers 503 and turns unready while Redis is away, keeps serving retained data, and recovers', async () => {
    await startPair();
    const onB = await open(`${b.url}/api/v1/stream?feeds=away.v&history=60000`);
    await ingest(a.url, points('away.v', [1]));
    await onB.untilPoints('away.v', 1);

    await redis.stop();
    await waitFor(async () => (await fetch(`${a.url}/health/ready`)).status === 503);
    const refused = await post(a.url, JSON.stringify({ points: points('away.v', [2]) }), 'application/json');
    expect([refused.status, errorCode(refused.body)]).toEqual([503, 'log_unavailable']);
    expect(refused.headers.get('retry-after')).toBe('1');
    const retained = await getJson<{ v: number[] }>(`${b.url}/api/v1/feeds/away.v/points`);
    expect(retained.body.v).toEqual([1]);

    await redis.restart();
    await waitFor(async () => (await fetch(`${a.url}/health/ready`)).status === 200);
    await ingest(a.url, points('away.v', [3]));
    await onB.untilPoints('away.v', 2, 20_000);
    expect(onB.points('away.v').v).toEqual([1, 3]);
    expect(onB.named('gap')).toEqual([]);
  });
});

/** Resolves once `check` answers true, asking again after each answer. */
async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
