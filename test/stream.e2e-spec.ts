import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, getJson, ingest } from './support/http.js';
import { startServer, type TestServer } from './support/server.js';
import { SseClient, type PointsData } from './support/sse-client.js';

const values = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
const points = (feed: string, vs: number[]) => vs.map((v) => ({ feed, v }));

describe('SSE streams', () => {
  let server: TestServer;
  const clients: SseClient[] = [];
  const open = async (path: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const client = await SseClient.open(`${server.url}${path}`, headers);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startServer({ HEARTBEAT_MS: '300', SSE_RETRY_MS: '1500' });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await server.close();
  });

  it('opens with retry and hello, then sends columnar points with a cursor id', async () => {
    const client = await open('/api/v1/stream?feeds=s1.a,s1.b');
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toContain('no-cache');
    await client.until((c) => c.events.length >= 1);
    expect(client.retry).toBe(1500);
    const hello = JSON.parse(client.events[0].data) as { session: string; batchMs: number };
    expect(client.events[0].event).toBe('hello');
    expect(hello.batchMs).toBe(50);
    expect(hello.session).toMatch(/^[A-Za-z0-9_-]{16,}$/);

    await ingest(server.url, [
      { feed: 's1.a', t: 1000, v: 1 },
      { feed: 's1.b', t: 1001, v: 2 },
      { feed: 's1.a', t: 1002, v: 3 },
      { feed: 's1.other', t: 1003, v: 4 },
    ]);
    await client.untilPoints('s1.a', 2);
    const event = client.named('points')[0];
    expect(event.id).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);
    expect(JSON.parse(event.data)).toEqual({
      feeds: { 's1.a': { t: [1000, 1002], v: [1, 3] }, 's1.b': { t: [1001], v: [2] } },
    });
  });

  it('serves one feed at /api/v1/feeds/<name>/stream', async () => {
    const client = await open('/api/v1/feeds/s2.x/stream');
    await client.until((c) => c.events.length >= 1);
    await ingest(server.url, points('s2.x', [1, 2]).concat(points('s2.y', [3])));
    await client.untilPoints('s2.x', 2);
    expect(client.points('s2.x').v).toEqual([1, 2]);
    expect(client.points('s2.y').v).toEqual([]);
  });

  it('delivers a feed created later that matches a pattern', async () => {
    const client = await open('/api/v1/stream?feeds=s3.>');
    await client.until((c) => c.events.length >= 1);
    await ingest(server.url, points('s3.new.feed', [7]));
    await client.untilPoints('s3.new.feed', 1);
    expect(client.points('s3.new.feed').v).toEqual([7]);
  });

  it('refuses invalid feeds, history, maxRate and cursors with 400 before the stream opens', async () => {
    const cases: [string, string, Record<string, string>?][] = [
      ['/api/v1/stream?feeds=a..b', 'invalid_pattern'],
      ['/api/v1/stream?feeds=a.>.b', 'invalid_pattern'],
      ['/api/v1/stream?feeds=a%0Ab', 'invalid_pattern'],
      ['/api/v1/feeds/a%20b/stream', 'invalid_pattern'],
      ['/api/v1/stream?feeds=a&history=-5', 'invalid_query'],
      ['/api/v1/stream?feeds=a&maxRate=0', 'invalid_query'],
      ['/api/v1/stream?feeds=a&maxRate=fast', 'invalid_query'],
      ['/api/v1/stream?feeds=a&lastEventId=not-a%0Acursor', 'invalid_cursor'],
      ['/api/v1/stream?feeds=a', 'invalid_cursor', { 'last-event-id': 'garbage!' }],
    ];
    for (const [path, code, headers] of cases) {
      const res = await getJson(`${server.url}${path}`, { headers });
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(errorCode(res.body), path).toBe(code);
    }
  });

  it('backfills history by point time before going live', async () => {
    const now = Date.now();
    await ingest(server.url, [
      { feed: 's4.h', t: now - 120_000, v: 1 },
      { feed: 's4.h', t: now - 20_000, v: 2 },
      { feed: 's4.h', t: now - 1_000, v: 3 },
    ]);
    const client = await open('/api/v1/stream?feeds=s4.h&history=60000');
    await client.untilPoints('s4.h', 2);
    await ingest(server.url, [{ feed: 's4.h', v: 4 }]);
    await client.untilPoints('s4.h', 3);
    expect(client.points('s4.h').v).toEqual([2, 3, 4]);
  });

  it('resumes exactly after Last-Event-ID and after lastEventId: no gap, no duplicate', async () => {
    const first = await open('/api/v1/stream?feeds=s5.r');
    await first.until((c) => c.events.length >= 1);
    await ingest(server.url, points('s5.r', values(1, 10)));
    await first.untilPoints('s5.r', 10);
    const cursor = first.lastId()!;
    first.close();

    await ingest(server.url, points('s5.r', values(11, 25)));
    await ingest(server.url, points('s5.r', values(36, 25)));

    const byHeader = await open('/api/v1/stream?feeds=s5.r', { 'last-event-id': cursor });
    const byQuery = await open(`/api/v1/stream?feeds=s5.r&lastEventId=${cursor}`);
    await byHeader.untilPoints('s5.r', 50);
    await byQuery.untilPoints('s5.r', 50);
    await ingest(server.url, points('s5.r', [61]));
    await byHeader.untilPoints('s5.r', 51);
    await byQuery.untilPoints('s5.r', 51);
    expect(byHeader.points('s5.r').v).toEqual(values(11, 51));
    expect(byQuery.points('s5.r').v).toEqual(values(11, 51));
    expect(byHeader.named('gap')).toEqual([]);
  });

  it('prefers the Last-Event-ID header over the query parameter', async () => {
    const first = await open('/api/v1/stream?feeds=s6.r');
    await first.until((c) => c.events.length >= 1);
    await ingest(server.url, points('s6.r', [1]));
    await first.untilPoints('s6.r', 1);
    const older = first.lastId()!;
    await ingest(server.url, points('s6.r', [2]));
    await first.untilPoints('s6.r', 2);
    const newer = first.lastId()!;
    await ingest(server.url, points('s6.r', [3]));
    const client = await open(`/api/v1/stream?feeds=s6.r&lastEventId=${older}`, { 'last-event-id': newer });
    await client.untilPoints('s6.r', 1);
    expect(client.points('s6.r').v).toEqual([3]);
  });

  it('announces an epoch gap for a cursor from another log life, then sends what is retained', async () => {
    await ingest(server.url, points('s7.e', [1, 2]));
    const client = await open('/api/v1/stream?feeds=s7.e', { 'last-event-id': 'zzzzzzzzzz-5' });
    await client.untilPoints('s7.e', 2);
    expect(client.named('gap').map((e) => JSON.parse(e.data) as unknown)).toEqual([
      { feeds: ['s7.e'], reason: 'epoch' },
    ]);
    const gapIndex = client.events.findIndex((e) => e.event === 'gap');
    const pointsIndex = client.events.findIndex((e) => e.event === 'points');
    expect(gapIndex).toBeLessThan(pointsIndex);
    expect(client.points('s7.e').v).toEqual([1, 2]);
  });

  it('caps a stream at maxRate points per second per feed with min/max buckets', async () => {
    const limited = await open('/api/v1/stream?feeds=s8.fast&maxRate=20');
    const full = await open('/api/v1/stream?feeds=s8.fast');
    await limited.until((c) => c.events.length >= 1);
    await full.until((c) => c.events.length >= 1);
    const started = Date.now();
    // 1,000 points per second for one second, in 20 batches
    for (let batch = 0; batch < 20; batch++) {
      await ingest(server.url, points('s8.fast', values(batch * 50 + 1, 50)));
      await full.untilPoints('s8.fast', (batch + 1) * 50);
    }
    await ingest(server.url, points('s8.fast', [-1, 5000])); // a trough and a peak must survive
    await full.untilPoints('s8.fast', 1002);
    await limited.until((c) => c.points('s8.fast').v.includes(5000), 5000, 'the peak');
    const elapsed = (Date.now() - started) / 1000;
    const got = limited.points('s8.fast').v;
    expect(got).toContain(-1);
    expect(got.length).toBeLessThanOrEqual(Math.ceil(20 * elapsed) + 4);
    expect(got.length).toBeGreaterThanOrEqual(4);
  });

  it('batches rapid ingest into at most one points event per batch window, every point once, in order', async () => {
    const client = await open('/api/v1/stream?feeds=s9.b');
    await client.until((c) => c.events.length >= 1);
    const started = Date.now();
    for (let request = 0; request < 20; request++) {
      await ingest(server.url, points('s9.b', values(request * 100 + 1, 100)));
    }
    await client.untilPoints('s9.b', 2000);
    const elapsed = Date.now() - started;
    expect(client.points('s9.b').v).toEqual(values(1, 2000));
    expect(client.named('points').length).toBeLessThanOrEqual(Math.floor(elapsed / 50) + 3);
  });

  it('sends a heartbeat comment to an idle stream', async () => {
    const client = await open('/api/v1/stream?feeds=s10.idle');
    await client.until((c) => c.comments.includes('hb'), 5000, 'a heartbeat');
    expect(client.named('points')).toEqual([]);
  });

  it('accepts an empty feed list and still says hello', async () => {
    const client = await open('/api/v1/stream');
    await client.until((c) => c.events.length >= 1);
    expect(client.events[0].event).toBe('hello');
  });

  it('writes the same bytes to every subscriber of the same feeds', async () => {
    const group = await Promise.all([1, 2, 3].map(() => open('/api/v1/stream?feeds=s11.>')));
    await Promise.all(group.map((c) => c.until((x) => x.events.length >= 1)));
    await ingest(server.url, points('s11.a', [1, 2, 3]));
    await Promise.all(group.map((c) => c.untilPoints('s11.a', 3)));
    const payloads = group.map((c) => c.named('points').map((e) => [e.id, e.data]));
    expect(payloads[1]).toEqual(payloads[0]);
    expect(payloads[2]).toEqual(payloads[0]);
    expect((JSON.parse(group[0].named('points')[0].data) as PointsData).feeds['s11.a'].v).toEqual([1, 2, 3]);
  });
});

describe('SSE retention gaps', () => {
  let server: TestServer;
  afterAll(async () => {
    await server.close();
  });

  it('names the feeds whose retention no longer reaches back to the cursor', async () => {
    server = await startServer({ RETENTION_POINTS: '20' });
    const first = await SseClient.open(`${server.url}/api/v1/stream?feeds=g.a,g.b`);
    await first.until((c) => c.events.length >= 1);
    await ingest(server.url, points('g.a', [0]).concat(points('g.b', [0])));
    await first.untilPoints('g.a', 1);
    const cursor = first.lastId()!;
    first.close();
    await ingest(server.url, points('g.a', values(1, 50)));
    await ingest(server.url, points('g.b', [1]));
    const resumed = await SseClient.open(`${server.url}/api/v1/stream?feeds=g.a,g.b`, { 'last-event-id': cursor });
    await resumed.untilPoints('g.b', 1);
    resumed.close();
    expect(resumed.named('gap').map((e) => JSON.parse(e.data) as unknown)).toEqual([
      { feeds: ['g.a'], reason: 'retention' },
    ]);
    expect(resumed.points('g.a').v).toEqual(values(31, 20));
    expect(resumed.points('g.b').v).toEqual([1]);
  });
});
