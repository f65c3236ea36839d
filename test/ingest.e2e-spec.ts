import { gzipSync } from 'node:zlib';
import { LogUnavailableError, type Log, type PointBatch } from '@pulseboard/core';
import type { FeedChunk, IngestResponse } from '@pulseboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, getJson, post } from './support/http.js';
import { listedSeries } from './support/listed-series.js';
import { startServer, type TestServer } from './support/server.js';

const json = (points: unknown[]): string => JSON.stringify({ points });

describe('POST /api/v1/ingest', () => {
  let server: TestServer;
  const stored = (feed: string) => getJson<FeedChunk>(`${server.url}/api/v1/feeds/${feed}/points`);

  beforeAll(async () => {
    server = await startServer({ MAX_BODY_BYTES: '65536', MAX_BATCH_POINTS: '1000' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('accepts JSON points and stores them in order', async () => {
    const res = await post<IngestResponse>(
      server.url,
      json([
        { feed: 'i1.cpu.user', t: 1764230400000, v: 0.42 },
        { feed: 'i1.cpu.user', t: 1764230401000, v: -3.5e-7 },
      ]),
      'application/json; charset=utf-8',
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 2 });
    expect((await stored('i1.cpu.user')).body).toEqual({ t: [1764230400000, 1764230401000], v: [0.42, -3.5e-7] });
  });

  it('stamps points without t with the server time', async () => {
    const before = Date.now();
    await post(server.url, json([{ feed: 'i2.now', v: 1 }]), 'application/json');
    const { t } = (await stored('i2.now')).body;
    expect(t[0]).toBeGreaterThanOrEqual(before);
    expect(t[0]).toBeLessThanOrEqual(Date.now());
  });

  it('accepts NDJSON, skipping blank lines', async () => {
    const body = '{"feed":"i3.a","t":1,"v":1}\n\n{"feed":"i3.a","t":2,"v":2}\n{"feed":"i3.b","t":3,"v":3}\n';
    const res = await post<IngestResponse>(server.url, body, 'application/x-ndjson');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 3 });
    expect((await stored('i3.a')).body).toEqual({ t: [1, 2], v: [1, 2] });
  });

  it('accepts InfluxDB line protocol, every line: a series per field, tags as labels, precision, ignored strings', async () => {
    const body = [
      '# a comment',
      'cpu,region=eu,host=h1 usage=0.5,idle=99i,msg="hello world" 1764230400000000000',
      '',
      'cpu,host=h1,region=eu usage=0.75 1764230401000000000',
      'up,host=h1 ok=true,down=F',
    ].join('\n');
    const res = await post<IngestResponse>(server.url, body, 'text/plain; charset=utf-8');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      accepted: 5,
      ignored: [{ line: 2, field: 'msg', reason: 'string fields are not stored' }],
    });
    expect(await listedSeries(server.url, 'cpu.>')).toEqual({
      'cpu.usage{host="h1",region="eu"}': { retained: 2, last: { t: 1764230401000, v: 0.75 } },
      'cpu.idle{host="h1",region="eu"}': { retained: 1, last: { t: 1764230400000, v: 99 } },
    });
    expect(await listedSeries(server.url, 'up.>')).toEqual({
      'up.ok{host="h1"}': { retained: 1, last: { t: expect.any(Number) as number, v: 1 } },
      'up.down{host="h1"}': { retained: 1, last: { t: expect.any(Number) as number, v: 0 } },
    });

    const seconds = await post<IngestResponse>(server.url, 'lp,x=y v=2 1764230400', 'text/plain', '?precision=s');
    expect(seconds.status).toBe(202);
    expect(await listedSeries(server.url, 'lp.>')).toEqual({
      'lp.v{x="y"}': { retained: 1, last: { t: 1764230400000, v: 2 } },
    });
  });

  it('reads a line-protocol string field whose quotes hold a newline, as InfluxDB does', async () => {
    const body = [
      'log,host=h1 level=3i,msg="disk full\nretrying in 5 s",code=28i 1764230400000000000',
      'log,host=h1 level=2i 1764230401000000000',
      'log,host=h2 level=1i',
    ].join('\n');
    const res = await post<IngestResponse>(server.url, body, 'text/plain');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      accepted: 4,
      ignored: [{ line: 1, field: 'msg', reason: 'string fields are not stored' }],
    });
    expect(await listedSeries(server.url, 'log.>')).toEqual({
      'log.level{host="h1"}': { retained: 2, last: { t: 1764230401000, v: 2 } },
      'log.code{host="h1"}': { retained: 1, last: { t: 1764230400000, v: 28 } },
      'log.level{host="h2"}': { retained: 1, last: { t: expect.any(Number) as number, v: 1 } },
    });

    // lines are numbered as an editor shows them: the bad line starts on the fifth
    const bad = await post(server.url, `${body}\nlog,host=h3 level=oops`, 'text/plain');
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { details: object[] } }).error.details).toEqual([
      { line: 5, reason: 'invalid field value "oops" for field "level"' },
    ]);
  });

  it('refuses a line-protocol timestamp past the signed 64-bit range, storing nothing', async () => {
    const res = await post(server.url, 'far x=1 1764230400000000000\nfar y=2 9223372036854775808', 'text/plain');
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('invalid_points');
    expect((res.body as { error: { details: object[] } }).error.details).toEqual([
      { line: 2, reason: 'timestamp out of range' },
    ]);
    expect((await stored('far.x')).status).toBe(404);
  });

  it('accepts gzip-compressed bodies', async () => {
    const body = gzipSync(json([{ feed: 'i4.gz', t: 5, v: 5 }]));
    const res = await post<IngestResponse>(server.url, body, 'application/json', '', { 'content-encoding': 'gzip' });
    expect(res.status).toBe(202);
    expect((await stored('i4.gz')).body.v).toEqual([5]);
  });

  it('rejects a whole batch when one point is invalid, naming it, and stores nothing', async () => {
    const res = await post(
      server.url,
      json([
        { feed: 'i5.ok', v: 1 },
        { feed: 'i5.ok', v: 2 },
        { feed: 'i5.ok', v: 'three' },
      ]),
      'application/json',
    );
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('invalid_points');
    expect((res.body as { error: { details: unknown[] } }).error.details).toEqual([
      { index: 2, reason: 'v must be a number' },
    ]);
    const after = await stored('i5.ok');
    expect(after.status).toBe(404);
    expect(errorCode(after.body)).toBe('feed_not_found');
  });

  it.each([
    ['NaN value (NDJSON)', '{"feed":"x","v":NaN}', 'application/x-ndjson', { index: 0, line: 1 }],
    [
      'infinite value',
      '{"points":[{"feed":"x","v":1e999}]}',
      'application/json',
      { index: 0, reason: 'v must be a finite number' },
    ],
    ['string value', json([{ feed: 'x', v: '1' }]), 'application/json', { index: 0, reason: 'v must be a number' }],
    ['missing value', json([{ feed: 'x' }]), 'application/json', { index: 0, reason: 'v is required' }],
    ['bad feed name', json([{ feed: 'a..b', v: 1 }]), 'application/json', { index: 0 }],
    ['long feed name', json([{ feed: 'x'.repeat(201), v: 1 }]), 'application/json', { index: 0 }],
    ['string t', json([{ feed: 'x', t: 'now', v: 1 }]), 'application/json', { index: 0 }],
    ['t out of range', json([{ feed: 'x', t: 9e15, v: 1 }]), 'application/json', { index: 0 }],
    ['non-object point', json([42]), 'application/json', { index: 0, reason: 'point must be an object' }],
    ['bad line', 'cpu usage=abc', 'text/plain', { line: 1 }],
  ])('rejects %s with 400 invalid_points naming the point', async (_name, body, type, detail) => {
    const res = await post(server.url, body, type);
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('invalid_points');
    expect((res.body as { error: { details: object[] } }).error.details[0]).toMatchObject(detail);
  });

  it('answers malformed JSON with invalid_json and a wrong shape with invalid_body', async () => {
    const malformed = await post(server.url, '{"points":[', 'application/json');
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed.body)).toBe('invalid_json');
    for (const body of ['[]', '{"point":[]}', '{"points":{}}', '"x"']) {
      const res = await post(server.url, body, 'application/json');
      expect(res.status, body).toBe(400);
      expect(errorCode(res.body), body).toBe('invalid_body');
    }
  });

  it('answers 413 for a body over the limit and for a batch over the point limit', async () => {
    const big = await post(server.url, json([{ feed: 'x', v: 1, pad: 'x'.repeat(70_000) }]), 'application/json');
    expect(big.status).toBe(413);
    expect(errorCode(big.body)).toBe('payload_too_large');
    const many = await post(
      server.url,
      json(Array.from({ length: 1001 }, () => ({ feed: 'x', v: 1 }))),
      'application/json',
    );
    expect(many.status).toBe(413);
    expect(errorCode(many.body)).toBe('too_many_points');
    const bomb = gzipSync(Buffer.alloc(1_000_000, 32));
    const inflated = await post(server.url, bomb, 'application/json', '', { 'content-encoding': 'gzip' });
    expect(inflated.status).toBe(413);
  });

  it('answers 415 for an unknown content type or encoding', async () => {
    const type = await post(server.url, 'feed=x', 'application/x-www-form-urlencoded');
    expect(type.status).toBe(415);
    expect(errorCode(type.body)).toBe('unsupported_media_type');
    const inherited = await post(server.url, json([]), 'constructor');
    expect(inherited.status).toBe(415);
    const encoding = await post(server.url, json([]), 'application/json', '', { 'content-encoding': 'br' });
    expect(encoding.status).toBe(415);
    expect(errorCode(encoding.body)).toBe('unsupported_encoding');
  });

  it('answers 400 invalid_precision for an unknown precision', async () => {
    const res = await post(server.url, 'a v=1 1', 'text/plain', '?precision=h');
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('invalid_precision');
  });

  it('answers every unknown route with the contract error shape', async () => {
    const res = await getJson(`${server.url}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(errorCode(res.body)).toBe('not_found');
  });
});

describe('ingest rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ INGEST_RATE_LIMIT: '10', INGEST_RATE_BURST: '20' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 429 with Retry-After past the burst and stores nothing of the refused batch', async () => {
    const batch = (v: number) => json(Array.from({ length: 15 }, () => ({ feed: 'rl.a', v })));
    expect((await post(server.url, batch(1), 'application/json')).status).toBe(202);
    const refused = await post(server.url, batch(2), 'application/json');
    expect(refused.status).toBe(429);
    expect(errorCode(refused.body)).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const feed = await getJson<FeedChunk>(`${server.url}/api/v1/feeds/rl.a/points`);
    expect(feed.body.v).toEqual(Array(15).fill(1));
  });
});

/**
 * A log that refuses appends. The embedded log is always available, so this
 * fake stands in for a log backend that is down (the Redis log's own fault
 * tests use a real Redis that is stopped).
 */
class UnavailableLog implements Log {
  readonly epoch = 'down000000';
  isAvailable(): boolean {
    return false;
  }
  append(_batch: PointBatch): Promise<number> {
    return Promise.reject(new LogUnavailableError());
  }
  tail(): () => void {
    return () => undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('ingest when the log is unavailable', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({}, { log: new UnavailableLog() });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 503 log_unavailable with Retry-After and reports not ready', async () => {
    const res = await post(server.url, json([{ feed: 'x', v: 1 }]), 'application/json');
    expect(res.status).toBe(503);
    expect(errorCode(res.body)).toBe('log_unavailable');
    expect(res.headers.get('retry-after')).toBe('1');
    const ready = await getJson<{ status: string; checks: Record<string, boolean> }>(`${server.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.log).toBe(false);
    const live = await getJson(`${server.url}/health/live`);
    expect(live.status).toBe(200);
  });
});
