import type { FeedChunk, FeedInfo, PollResponse } from '@pulseboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, getJson, ingest } from './support/http.js';
import { startServer, type TestServer } from './support/server.js';

describe('feeds API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    await ingest(server.url, [
      { feed: 'f.host1.cpu', t: 1000, v: 1 },
      { feed: 'f.host1.cpu', t: 3000, v: 3 },
      { feed: 'f.host1.cpu', t: 2000, v: 2 },
      { feed: 'f.host1.mem', t: 1000, v: 10 },
      { feed: 'f.host2.cpu', t: 1000, v: 20 },
    ]);
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists feeds matching a pattern, sorted, with rate, last point and retained count', async () => {
    const res = await getJson<FeedInfo[]>(`${server.url}/api/v1/feeds?match=f.*.cpu`);
    expect(res.status).toBe(200);
    expect(res.body.map((f) => f.name)).toEqual(['f.host1.cpu', 'f.host2.cpu']);
    expect(res.body[0]).toMatchObject({ name: 'f.host1.cpu', last: { t: 2000, v: 2 }, retained: 3 });
    expect(res.body[0]).toMatchObject({ series: 'f.host1.cpu', labels: {} });
    expect(typeof res.body[0].rate).toBe('number');
    const all = await getJson<FeedInfo[]>(`${server.url}/api/v1/feeds`);
    expect(all.body.map((f) => f.name)).toEqual(['f.host1.cpu', 'f.host1.mem', 'f.host2.cpu']);
    const limited = await getJson<FeedInfo[]>(`${server.url}/api/v1/feeds?limit=1`);
    expect(limited.body).toHaveLength(1);
  });

  it('rejects an invalid match selector, a regex that does not compile included', async () => {
    for (const match of ['a..b', 'f.*.cpu{host="h1"', 'f.*.cpu{host=~"("}']) {
      const res = await getJson(`${server.url}/api/v1/feeds?match=${encodeURIComponent(match)}`);
      expect(res.status, match).toBe(400);
      expect(errorCode(res.body), match).toBe('invalid_pattern');
    }
  });

  it('matches a selector’s name pattern and its label matchers, a missing label reading as ""', async () => {
    const list = async (match: string) =>
      (await getJson<FeedInfo[]>(`${server.url}/api/v1/feeds?match=${encodeURIComponent(match)}`)).body.map(
        (f) => f.series,
      );
    expect(await list('f.*.cpu{host!="h1"}')).toEqual(['f.host1.cpu', 'f.host2.cpu']);
    expect(await list('f.*.cpu{host=~"|h1"}')).toEqual(['f.host1.cpu', 'f.host2.cpu']);
    expect(await list('f.*.cpu{host="h1"}')).toEqual([]);
    expect(await list('>{host=~".+"}')).toEqual([]);
  });

  it('routes a series key URL-encoded as one path segment, labels in any order', async () => {
    const points = (key: string) => getJson(`${server.url}/api/v1/feeds/${encodeURIComponent(key)}/points`);
    // braces, quotes, `=`, `,`, an escaped quote and a `/` (as %2F) in label values
    for (const key of ['f.none{a="x,y=z",b="1"}', 'f.none{b="1",a="x,y=z"}', 'f.none{path="/var/log",q="\\"hi\\""}']) {
      const res = await points(key);
      expect(res.status, key).toBe(404);
      expect(errorCode(res.body), key).toBe('feed_not_found');
    }
    for (const key of ['f.none{a="1"', 'f.none{a=1}', 'f.none{a="1",a="2"}', 'f.none{__name__="x"}']) {
      const res = await points(key);
      expect(res.status, key).toBe(400);
      expect(errorCode(res.body), key).toBe('invalid_feed_name');
    }
    // a `/` left unencoded splits the key into two path segments: no such route
    const split = await getJson(`${server.url}/api/v1/feeds/f.none%7Bpath%3D%22/var%22%7D/points`);
    expect(split.status).toBe(404);
    expect(errorCode(split.body)).toBe('not_found');
  });

  it('answers points in arrival order, selected by time with inclusive bounds', async () => {
    const all = await getJson<FeedChunk>(`${server.url}/api/v1/feeds/f.host1.cpu/points`);
    expect(all.body).toEqual({ t: [1000, 3000, 2000], v: [1, 3, 2] });
    const window = await getJson<FeedChunk>(`${server.url}/api/v1/feeds/f.host1.cpu/points?from=2000&to=3000`);
    expect(window.body).toEqual({ t: [3000, 2000], v: [3, 2] });
    const from = await getJson<FeedChunk>(`${server.url}/api/v1/feeds/f.host1.cpu/points?from=2500`);
    expect(from.body).toEqual({ t: [3000], v: [3] });
  });

  it('downsamples to maxPoints keeping extremes', async () => {
    const points = Array.from({ length: 1000 }, (_, i) => ({ feed: 'f.dense', t: i, v: i === 500 ? 1e6 : i % 7 }));
    await ingest(server.url, points);
    const res = await getJson<FeedChunk>(`${server.url}/api/v1/feeds/f.dense/points?maxPoints=20`);
    expect(res.body.v.length).toBeLessThanOrEqual(20);
    expect(res.body.v).toContain(1e6);
    expect(res.body.v).toContain(0);
  });

  it('answers 404 feed_not_found, 400 invalid_feed_name and 400 invalid_query', async () => {
    const missing = await getJson(`${server.url}/api/v1/feeds/f.none/points`);
    expect(missing.status).toBe(404);
    expect(errorCode(missing.body)).toBe('feed_not_found');
    const bad = await getJson(`${server.url}/api/v1/feeds/a..b/points`);
    expect(bad.status).toBe(400);
    expect(errorCode(bad.body)).toBe('invalid_feed_name');
    for (const query of ['from=abc', 'to=1e', 'maxPoints=1', 'maxPoints=x', 'from=5&to=1']) {
      const res = await getJson(`${server.url}/api/v1/feeds/f.host1.cpu/points?${query}`);
      expect(res.status, query).toBe(400);
      expect(errorCode(res.body), query).toBe('invalid_query');
    }
  });
});

describe('long polling', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers at once without a cursor, then waits for data after it', async () => {
    const first = await getJson<PollResponse>(`${server.url}/api/v1/poll?feeds=p.a`);
    expect(first.status).toBe(200);
    expect(first.body.feeds).toEqual({});
    expect(first.body.cursor).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);

    const waiting = getJson<PollResponse>(`${server.url}/api/v1/poll?feeds=p.a&cursor=${first.body.cursor}`);
    await ingest(server.url, [
      { feed: 'p.a', t: 1, v: 1 },
      { feed: 'p.b', t: 1, v: 9 },
      { feed: 'p.a', t: 2, v: 2 },
    ]);
    const second = await waiting;
    expect(second.body.feeds).toEqual({ 'p.a': { t: [1, 2], v: [1, 2] } });
    expect(second.body.cursor).not.toBe(first.body.cursor);

    // data already there after the cursor: answered at the next tick
    await ingest(server.url, [{ feed: 'p.a', t: 3, v: 3 }]);
    const third = await getJson<PollResponse>(`${server.url}/api/v1/poll?feeds=p.a&cursor=${second.body.cursor}`);
    expect(third.body.feeds).toEqual({ 'p.a': { t: [3], v: [3] } });
  });

  it('answers with no points and the same position at the timeout', async () => {
    const { body } = await getJson<PollResponse>(`${server.url}/api/v1/poll?feeds=p.quiet`);
    const res = await getJson<PollResponse>(
      `${server.url}/api/v1/poll?feeds=p.quiet&cursor=${body.cursor}&timeoutMs=200`,
    );
    expect(res.status).toBe(200);
    expect(res.body.feeds).toEqual({});
    const resumed = await getJson<PollResponse>(
      `${server.url}/api/v1/poll?feeds=p.quiet&cursor=${res.body.cursor}&timeoutMs=0`,
    );
    expect(resumed.body.feeds).toEqual({});
  });

  it('reports an epoch gap for a cursor from another log life', async () => {
    await ingest(server.url, [{ feed: 'p.e', t: 1, v: 1 }]);
    const res = await getJson<PollResponse>(`${server.url}/api/v1/poll?feeds=p.e&cursor=old0000000-9`);
    // the gap comes with what the new log retains
    expect(res.body.gap).toEqual({ feeds: ['p.e'], reason: 'epoch' });
    expect(res.body.feeds['p.e'].v).toEqual([1]);
  });

  it('reports the gap even when the poll has no time to wait', async () => {
    const res = await getJson<PollResponse>(`${server.url}/api/v1/poll?feeds=p.e&cursor=gone000000-5&timeoutMs=0`);
    expect(res.body.gap).toEqual({ feeds: ['p.e'], reason: 'epoch' });
  });

  it('validates cursor, feeds and timeout', async () => {
    const cases: [string, string][] = [
      ['cursor=bad!', 'invalid_cursor'],
      ['feeds=a..b&cursor=x-1', 'invalid_pattern'],
      ['timeoutMs=-1&cursor=x-1', 'invalid_query'],
      ['timeoutMs=999999999&cursor=x-1', 'invalid_query'],
    ];
    for (const [query, code] of cases) {
      const res = await getJson(`${server.url}/api/v1/poll?${query}`);
      expect(res.status, query).toBe(400);
      expect(errorCode(res.body), query).toBe(code);
    }
  });
});
