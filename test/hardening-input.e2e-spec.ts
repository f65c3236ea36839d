import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { parseSeriesKey, seriesKey, type ErrorBody } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { errorCode, getJson, post, type JsonResponse } from './support/http.js';
import { hardenedSuite } from './support/hardened-suite.js';
import { startServer } from './support/server.js';

const json = (points: unknown[], extra = ''): string => `{"points":${JSON.stringify(points)}${extra}}`;
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const dashboard = (extra = ''): string =>
  `{"title":"Ops","window":"5m","panels":[{"id":"p1","kind":"stat","title":"CPU","unit":"%","feeds":["a.b"],"x":0,"y":0,"w":6,"h":4}]${extra}}`;
const FEED_ALPHABET = /^[A-Za-z0-9_\-:.]+$/;

/** What an error answer may never reveal: stack frames, file paths, dependency names, a library's wording. */
function expectNoInternals(text: string): void {
  expect(text).not.toContain('    at ');
  expect(text).not.toContain('/work/');
  expect(text).not.toContain('node_modules');
  expect(text).not.toMatch(/\.(ts|js):\d+/);
  // V8's JSON parser, zlib and zod, as they word their errors
  expect(text).not.toMatch(
    /Unexpected token|Unexpected end|is not valid JSON|in JSON at position|JSON\.parse|SyntaxError|incorrect header check|unexpected end of file|Invalid input:|Too (big|small):|Invalid option:/,
  );
}

/** A POST whose body goes out in chunks, without `Content-Length` (what a streaming client sends). */
function chunkedPost(url: string, chunks: string[], contentType: string): Promise<JsonResponse<unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: new Headers(), body: JSON.parse(text) as unknown }),
      );
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('input hardening', () => {
  const suite = hardenedSuite(() => startServer({ MAX_BODY_BYTES: '2048', MAX_BATCH_POINTS: '50' }));
  const get = (path: string, init: RequestInit = {}) => getJson(`${suite.server.url}${path}`, init);
  const notStored = async (feed: string): Promise<void> => {
    const res = await get(`/api/v1/feeds/${feed}/points`);
    expect(res.status, `${feed} was stored`).toBe(404);
    expect(errorCode(res.body)).toBe('feed_not_found');
  };
  const putDashboard = (id: string, body: string | Uint8Array<ArrayBuffer>) =>
    get(`/api/v1/dashboards/${id}`, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });

  describe('ingest bodies', () => {
    it.each([
      ['{"points":[', 'malformed JSON: the body ends early, at byte 11'],
      ['{points:[]}', 'malformed JSON at byte 1'],
      ['{"points":[{"feed":"a","v":1},]}', 'malformed JSON at byte 30'],
      ['\u0000', 'malformed JSON at byte 0'],
    ])('answers the malformed JSON %j with 400 invalid_json, in its own words', async (body, message) => {
      const res = await post(suite.server.url, body, 'application/json');
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('invalid_json');
      expect((res.body as ErrorBody).error.message).toBe(message);
      expectNoInternals(JSON.stringify(res.body));
      await suite.bystander.stillServes();
    });

    it('answers a body over MAX_BODY_BYTES with 413 payload_too_large and closes that connection', async () => {
      const res = await post(
        suite.server.url,
        json([{ feed: 'big.a', v: 1 }], `,"pad":"${'x'.repeat(3000)}"`),
        'application/json',
      );
      expect(res.status).toBe(413);
      expect(errorCode(res.body)).toBe('payload_too_large');
      expect(res.headers.get('connection')).toBe('close');
      await notStored('big.a');
      await suite.bystander.stillServes();
    });

    it('answers a chunked body without Content-Length that grows over the limit with 413', async () => {
      const chunks = ['{"points":[{"feed":"big.b","v":1}],"pad":"', ...Array<string>(10).fill('y'.repeat(500)), '"}'];
      const res = await chunkedPost(`${suite.server.url}/api/v1/ingest`, chunks, 'application/json');
      expect(res.status).toBe(413);
      expect(errorCode(res.body)).toBe('payload_too_large');
      await notStored('big.b');
      await suite.bystander.stillServes();
    });

    it('answers a gzip body that inflates past the limit with 413 payload_too_large', async () => {
      const bomb = gzipSync(Buffer.from(json([{ feed: 'big.c', v: 1 }], `,"pad":"${' '.repeat(500_000)}"`)));
      expect(bomb.length).toBeLessThan(2048);
      const res = await post(suite.server.url, bomb, 'application/json', '', { 'content-encoding': 'gzip' });
      expect(res.status).toBe(413);
      expect(errorCode(res.body)).toBe('payload_too_large');
      await notStored('big.c');
      await suite.bystander.stillServes();
    });

    it.each([
      ['JSON', json(Array.from({ length: 51 }, (_, v) => ({ feed: 'many.a', v }))), 'application/json'],
      ['NDJSON', '{"feed":"many.a","v":1}\n'.repeat(51), 'application/x-ndjson'],
      ['line protocol', 'many a=1\n'.repeat(51), 'text/plain'],
    ])('answers a %s batch over MAX_BATCH_POINTS with 413 too_many_points', async (_name, body, type) => {
      expect(body.length).toBeLessThan(2048);
      const res = await post(suite.server.url, body, type);
      expect(res.status).toBe(413);
      expect(errorCode(res.body)).toBe('too_many_points');
      await notStored('many.a');
      await suite.bystander.stillServes();
    });

    it.each(['application/x-www-form-urlencoded', 'text/html', 'multipart/form-data; boundary=x', '', '__proto__'])(
      'answers the content type %j with 415 unsupported_media_type',
      async (type) => {
        const res = await post(suite.server.url, json([{ feed: 'mt.a', v: 1 }]), type);
        expect(res.status).toBe(415);
        expect(errorCode(res.body)).toBe('unsupported_media_type');
        await notStored('mt.a');
        await suite.bystander.stillServes();
      },
    );

    it.each(['br', 'compress', 'gzip, br'])(
      'answers Content-Encoding %j with 415 unsupported_encoding',
      async (enc) => {
        const res = await post(suite.server.url, json([{ feed: 'enc.a', v: 1 }]), 'application/json', '', {
          'content-encoding': enc,
        });
        expect(res.status).toBe(415);
        expect(errorCode(res.body)).toBe('unsupported_encoding');
        await notStored('enc.a');
        await suite.bystander.stillServes();
      },
    );

    it('answers a body that claims gzip but is not with 400 invalid_body, in its own words', async () => {
      const res = await post(suite.server.url, json([{ feed: 'enc.b', v: 1 }]), 'application/json', '', {
        'content-encoding': 'gzip',
      });
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('invalid_body');
      expect((res.body as ErrorBody).error.message).toBe('the gzip body is corrupt or cut short');
      expectNoInternals(JSON.stringify(res.body));
      await notStored('enc.b');
      await suite.bystander.stillServes();
    });
  });

  describe('JSON depth and prototype keys', () => {
    it.each([
      [
        'an ingest body',
        () => post(suite.server.url, json([{ feed: 'deep.a', v: 1 }], `,"meta":${nested(40)}`), 'application/json'),
      ],
      [
        'an ingest body nested 1000 deep',
        () => post(suite.server.url, json([{ feed: 'deep.a', v: 1 }], `,"m":${nested(1000)}`), 'application/json'),
      ],
      [
        'objects at the top of an ingest body',
        () =>
          post(
            suite.server.url,
            json([{ feed: 'deep.a', v: 1 }], `,"meta":${'{"a":'.repeat(40)}1${'}'.repeat(40)}`),
            'application/json',
          ),
      ],
      ['a dashboard body', () => putDashboard('deep-1', dashboard(`,"meta":${nested(40)}`))],
      ['a dashboard body nested 100000 deep', () => putDashboard('deep-2', dashboard(`,"meta":${nested(100_000)}`))],
    ])('answers JSON nested deeper than MAX_JSON_DEPTH in %s with 400 json_too_deep', async (_name, send) => {
      const res = await send();
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('json_too_deep');
      await notStored('deep.a');
      for (const id of ['deep-1', 'deep-2']) expect((await get(`/api/v1/dashboards/${id}`)).status).toBe(404);
      await suite.bystander.stillServes();
    });

    const ingestJson = (text: string) => () => post(suite.server.url, text, 'application/json');
    const ingestNdjson = (text: string) => () => post(suite.server.url, text, 'application/x-ndjson');
    it.each([
      [
        '__proto__ at the top of an ingest body',
        ingestJson(json([{ feed: 'pk.a', v: 1 }], ',"__proto__":{"polluted":1}')),
      ],
      ['__proto__ in a point', ingestJson('{"points":[{"feed":"pk.a","v":1,"__proto__":{"polluted":1}}]}')],
      [
        'constructor in a point',
        ingestJson('{"points":[{"feed":"pk.a","v":1,"constructor":{"prototype":{"polluted":1}}}]}'),
      ],
      ['prototype deep in a field', ingestJson(json([{ feed: 'pk.a', v: 1 }], ',"meta":{"a":[{"prototype":1}]}'))],
      [
        'the escaped spelling \\u005f_proto__',
        ingestJson('{"points":[{"feed":"pk.a","v":1,"\\u005f_proto__":{"polluted":1}}]}'),
      ],
      [
        '__proto__ in an NDJSON line',
        ingestNdjson('{"feed":"pk.a","v":1}\n{"feed":"pk.a","v":2,"__proto__":{"polluted":1}}\n'),
      ],
      ['an escaped constructor in an NDJSON line', ingestNdjson('{"feed":"pk.a","v":1,"\\u0063onstructor":{}}\n')],
      ['__proto__ at the top of a dashboard', () => putDashboard('pk-1', dashboard(',"__proto__":{"polluted":1}'))],
      [
        'constructor in a dashboard panel',
        () =>
          putDashboard(
            'pk-1',
            dashboard().replace('"id":"p1"', '"constructor":{"prototype":{"polluted":1}},"id":"p1"'),
          ),
      ],
      [
        'an escaped __proto__ in a dashboard',
        () => putDashboard('pk-1', dashboard(',"\\u005f_proto__":{"polluted":1}')),
      ],
    ])('answers %s with 400 forbidden_key and pollutes nothing', async (_name, send) => {
      const res = await send();
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('forbidden_key');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await notStored('pk.a');
      expect((await get('/api/v1/dashboards/pk-1')).status).toBe(404);
      await suite.bystander.stillServes();
    });
  });

  describe('feed names, patterns, cursors and ids', () => {
    it.each([
      ['a carriage return', 'inj.a\r'],
      ['a line feed', 'inj.a\nevent: evil'],
      ['CR LF and a fake event', 'inj.a\r\nevent: evil\r\ndata: {}\r\n\r\n'],
      ['a NUL', 'inj.a\u0000'],
      ['a space', 'inj a'],
      ['a tab', 'inj.\ta'],
      ['201 characters', `inj.${'x'.repeat(197)}`],
      ['a non-ASCII letter', 'inj.cpü'],
    ])('answers a point whose feed has %s with 400 invalid_points naming it, storing nothing', async (_n, feed) => {
      const body = JSON.stringify({
        points: [
          { feed: 'inj.ok', v: 1 },
          { feed, v: 2 },
        ],
      });
      const res = await post(suite.server.url, body, 'application/json');
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('invalid_points');
      expect((res.body as ErrorBody).error.details).toEqual([{ index: 1, reason: expect.any(String) as string }]);
      await notStored('inj.ok');
      const ndjson = `${JSON.stringify({ feed: 'inj.ok', v: 1 })}\n${JSON.stringify({ feed, v: 2 })}\n`;
      const lines = await post(suite.server.url, ndjson, 'application/x-ndjson');
      expect(lines.status).toBe(400);
      expect(errorCode(lines.body)).toBe('invalid_points');
      expect((lines.body as ErrorBody).error.details).toMatchObject([{ index: 1, line: 2 }]);
      await notStored('inj.ok');
      await suite.bystander.stillServes();
    });

    it.each([
      '/api/v1/stream?feeds=%0d%0a',
      '/api/v1/stream?feeds=a%0d%0a',
      '/api/v1/stream?feeds=%00',
      '/api/v1/stream?feeds=a%0d%0aevent:%20evil',
      '/api/v1/stream?feeds=a%00',
      '/api/v1/stream?feeds=a.%3E.b',
      '/api/v1/stream?feeds=a%20b',
      `/api/v1/stream?feeds=${'x'.repeat(201)}`,
      '/api/v1/stream?feeds=ok.a,a..b',
      '/api/v1/feeds/a%0d%0ab/stream',
      '/api/v1/poll?feeds=a%00b',
      '/api/v1/feeds?match=a%0Ab',
    ])('answers %s with 400 invalid_pattern before any stream opens', async (path) => {
      const stream = await suite.stream(path);
      expect(stream.status).toBe(400);
      await stream.until((c) => c.ended, 10_000, 'the refusal to end');
      expect(stream.headers['content-type']).toContain('application/json');
      expect(errorCode(JSON.parse(stream.body))).toBe('invalid_pattern');
      expect(stream.events).toEqual([]);
      await suite.bystander.stillServes();
    });

    it.each<[string, Record<string, string>, string]>([
      ['a garbage Last-Event-ID', { 'last-event-id': 'garbage!' }, ''],
      ['a path as Last-Event-ID', { 'last-event-id': '../../etc/passwd' }, ''],
      ['a huge Last-Event-ID', { 'last-event-id': 'a'.repeat(4000) }, ''],
      ['a lastEventId with CR LF', {}, '&lastEventId=1-1%0d%0aevent:%20evil'],
    ])('answers %s with 400 invalid_cursor', async (_name, headers, query) => {
      const res = await get(`/api/v1/stream?feeds=cur.a${query}`, { headers });
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('invalid_cursor');
      await suite.bystander.stillServes();
    });

    it.each<[string, string, string?]>([
      ['PUT', '/api/v1/dashboards/a%00b', dashboard()],
      ['PUT', '/api/v1/dashboards/a%0d%0ab', dashboard()],
      ['GET', '/api/v1/dashboards/a%0Ab'],
      ['DELETE', '/api/v1/dashboards/a%09b'],
      ['GET', '/api/v1/dashboards/a%1Bb/annotations'],
      ['GET', `/api/v1/dashboards/${'d'.repeat(129)}`],
    ])('answers %s %s with 400 invalid_dashboard', async (method, path, body) => {
      const res = await get(path, { method, body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('invalid_dashboard');
      await suite.bystander.stillServes();
    });

    it('answers a socket join of a dashboard id with control characters with invalid_dashboard', async () => {
      const socket = await suite.socket();
      for (const id of ['a\r\nb', 'a\u0000', '']) {
        expect(await socket.ack('join', { dashboard: id }), JSON.stringify(id)).toMatchObject({
          ok: false,
          error: { code: 'invalid_dashboard' },
        });
      }
      expect(await socket.ack('join', { dashboard: 'ok-1' })).toMatchObject({ ok: true });
      await suite.bystander.stillServes();
    });
  });

  describe('answers without internals', () => {
    it.each([
      ['/%E0%A4%A', 404, 'not_found'],
      ['/assets/%E0%A4%A.js', 404, 'not_found'],
      ['/api/v1/feeds/%E0%A4%A/points', 400, 'bad_request'],
      ['/api/v1/dashboards/%E0%A4%A', 400, 'bad_request'],
      ['/api/v1/feeds/%E0%A4%A/stream', 400, 'bad_request'],
    ])('answers the malformed escape in %s with %i %s as JSON, no stack trace', async (path, status, code) => {
      const res = await fetch(`${suite.server.url}${path}`);
      const text = await res.text();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(errorCode(JSON.parse(text))).toBe(code);
      expectNoInternals(text);
      await suite.bystander.stillServes();
    });

    it('keeps stack traces and paths out of every error body', async () => {
      const answers = await Promise.all([
        post(suite.server.url, '{"points":[', 'application/json'),
        post(suite.server.url, json([{ feed: 'x', v: 'NaN' }]), 'application/json'),
        post(suite.server.url, 'cpu,host= usage=', 'text/plain'),
        post(suite.server.url, '\u001f\u008b\u0008garbage', 'application/json', '', { 'content-encoding': 'gzip' }),
        get('/api/v1/nothing-here'),
        get('/api/v1/feeds/x/points?from=later'),
        get('/api/v1/poll?timeoutMs=-1'),
        putDashboard('ok-2', '{"title":'),
        putDashboard('ok-2', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
      ]);
      for (const res of answers) {
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        errorCode(res.body);
        expectNoInternals(JSON.stringify(res.body));
      }
      await suite.bystander.stillServes();
    });
  });

  it('keeps the event stream to server-made event names and ids, whatever feed names and label values were tried', async () => {
    for (const feed of ['x\r\nevent: evil', 'x\nid: 999-999', 'x\u0000', 'x\r\rdata: {}']) {
      const res = await post(suite.server.url, JSON.stringify({ points: [{ feed, v: 1 }] }), 'application/json');
      expect(res.status, JSON.stringify(feed)).toBe(400);
      expect(errorCode(res.body)).toBe('invalid_points');
    }
    // line protocol turns what a feed name cannot hold into `_`
    const lp = await post(suite.server.url, 'safe\\ name\\,x v\\=1=1', 'text/plain');
    expect(lp.status).toBe(202);
    const stream = await suite.stream('/api/v1/stream?feeds=%3E&history=600000');
    expect(stream.status).toBe(200);
    await stream.untilPoints('safe_name_x.v_1', 1);
    expect(
      (await post(suite.server.url, JSON.stringify({ points: [{ feed: 'inj.live', v: 1 }] }), 'application/json'))
        .status,
    ).toBe(202);
    await stream.untilPoints('inj.live', 1);
    // a label value may hold anything, and reaches the stream only inside a JSON string
    const hostile = 'a\r\nevent: evil\r\nid: 999-999\r\ndata: {}\r\n\r\n\u0000"}';
    const labelled = { feed: 'inj.lbl', labels: { x: hostile }, v: 7 };
    expect((await post(suite.server.url, JSON.stringify({ points: [labelled] }), 'application/json')).status).toBe(202);
    const key = seriesKey('inj.lbl', { x: hostile });
    await stream.untilPoints(key, 1);
    expect(stream.points(key).v).toEqual([7]);
    await suite.bystander.stillServes();
    expect(stream.named('points').length).toBeGreaterThanOrEqual(3);
    for (const event of stream.events) {
      expect(['hello', 'points']).toContain(event.event);
      if (event.event === 'points') {
        expect(event.id).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);
        const feeds = Object.keys((JSON.parse(event.data) as { feeds: Record<string, unknown> }).feeds);
        for (const feed of feeds) expect(parseSeriesKey(feed).name).toMatch(FEED_ALPHABET);
      }
    }
  });
});
