import { parseSeriesKey, seriesKey, type FeedChunk, type IngestResponse } from '@pulseboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthServer, token } from './support/auth.js';
import { errorCode, getJson, post } from './support/http.js';
import { listedSeries } from './support/listed-series.js';
import { startServer, type TestServer } from './support/server.js';

/* Series are read back through the feed list, which names each by its series key. */

const json = (points: unknown[]): string => JSON.stringify({ points });
const ndjson = (points: unknown[]): string => points.map((p) => JSON.stringify(p)).join('\n');

interface ErrorDetails {
  error: { details: object[] };
}

describe('series with labels on POST /api/v1/ingest', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  describe('JSON and NDJSON', () => {
    it('puts each point in the series of its feed and labels, whatever order the labels come in', async () => {
      const res = await post<IngestResponse>(
        server.url,
        json([
          { feed: 'lj.cpu', labels: { region: 'eu', host: 'h1' }, t: 1, v: 1 },
          { feed: 'lj.cpu', labels: { host: 'h1', region: 'eu' }, t: 2, v: 2 },
          { feed: 'lj.cpu', labels: { host: 'h2', region: 'eu' }, t: 3, v: 3 },
          { feed: 'lj.cpu', labels: {}, t: 4, v: 4 },
          { feed: 'lj.cpu', t: 5, v: 5 },
        ]),
        'application/json',
      );
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: 5 });
      expect(await listedSeries(server.url, 'lj.>')).toEqual({
        'lj.cpu{host="h1",region="eu"}': { retained: 2, last: { t: 2, v: 2 } },
        'lj.cpu{host="h2",region="eu"}': { retained: 1, last: { t: 3, v: 3 } },
        'lj.cpu': { retained: 2, last: { t: 5, v: 5 } },
      });
      // a point without labels stays in the series named by its feed alone, as in v1
      const plain = await getJson<FeedChunk>(`${server.url}/api/v1/feeds/lj.cpu/points`);
      expect(plain.body).toEqual({ t: [4, 5], v: [4, 5] });
    });

    it('reads labels on NDJSON lines', async () => {
      const body = ndjson([
        { feed: 'ln.mem', labels: { host: 'h1' }, t: 1, v: 10 },
        { feed: 'ln.mem', labels: { host: 'h2' }, t: 1, v: 20 },
        { feed: 'ln.mem', labels: { host: 'h1' }, t: 2, v: 11 },
      ]);
      expect((await post(server.url, body, 'application/x-ndjson')).status).toBe(202);
      expect(await listedSeries(server.url, 'ln.>')).toEqual({
        'ln.mem{host="h1"}': { retained: 2, last: { t: 2, v: 11 } },
        'ln.mem{host="h2"}': { retained: 1, last: { t: 1, v: 20 } },
      });
    });

    it('keeps quotes, backslashes, newlines and any other character of a label value in the series key', async () => {
      const labels = {
        quote: 'say "hi"',
        backslash: 'C:\\temp\\',
        newline: 'two\nlines',
        unicode: 'küche 🚀 日本',
        punctuation: '},{="a"',
      };
      expect((await post(server.url, json([{ feed: 'lrt.v', labels, v: 1 }]), 'application/json')).status).toBe(202);
      const keys = Object.keys(await listedSeries(server.url, 'lrt.>'));
      expect(keys).toEqual([
        'lrt.v{backslash="C:\\\\temp\\\\",newline="two\\nlines",punctuation="},{=\\"a\\"",quote="say \\"hi\\"",unicode="küche 🚀 日本"}',
      ]);
      expect(keys[0]).toBe(seriesKey('lrt.v', labels));
      expect(parseSeriesKey(keys[0])).toEqual({ name: 'lrt.v', labels });
    });

    const tooMany = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    const refusals: [string, unknown, string][] = [
      ['too many labels', tooMany, 'a series may have at most 32 labels'],
      [
        'a key with a character labels cannot hold',
        { 'host-name': 'a' },
        'label key "host-name" must match [A-Za-z_][A-Za-z0-9_]*',
      ],
      ['a key starting with a digit', { '1host': 'a' }, 'label key "1host" must match [A-Za-z_][A-Za-z0-9_]*'],
      ['a reserved key', { __tenant: 'acme' }, 'label key "__tenant" is reserved (keys starting with __)'],
      ['an empty value', { host: '' }, 'label host must not be empty'],
      ['a value over 1024 bytes', { host: 'é'.repeat(513) }, 'label host must be at most 1024 bytes'],
      ['a number as a value', { host: 1 }, 'label host must be a string'],
      ['null as a value', { host: null }, 'label host must be a string'],
      ['an object as a value', { host: { name: 'h1' } }, 'label host must be a string'],
      ['labels that are not an object', ['host', 'h1'], 'labels must be an object'],
      ['null labels', null, 'labels must be an object'],
    ];

    it.each(refusals)('refuses a JSON batch with %s whole, naming the point', async (_name, labels, reason) => {
      const body = json([
        { feed: 'lbad.v', labels: { host: 'ok' }, v: 1 },
        { feed: 'lbad.v', labels, v: 2 },
      ]);
      const res = await post(server.url, body, 'application/json');
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('invalid_points');
      expect((res.body as ErrorDetails).error.details).toEqual([{ index: 1, reason }]);
      expect(await listedSeries(server.url, 'lbad.>')).toEqual({});
    });

    it.each(refusals)(
      'refuses an NDJSON batch with %s whole, naming the point and line',
      async (_name, labels, reason) => {
        const body = ndjson([
          { feed: 'lbad.v', labels: { host: 'ok' }, v: 1 },
          { feed: 'lbad.v', labels, v: 2 },
        ]);
        const res = await post(server.url, body, 'application/x-ndjson');
        expect(res.status).toBe(400);
        expect(errorCode(res.body)).toBe('invalid_points');
        expect((res.body as ErrorDetails).error.details).toEqual([{ index: 1, line: 2, reason }]);
        expect(await listedSeries(server.url, 'lbad.>')).toEqual({});
      },
    );
  });

  describe('InfluxDB line protocol', () => {
    it('keeps tags of the same value under different keys apart', async () => {
      expect((await post(server.url, 'coll,host=a v=1\ncoll,dc=a v=2', 'text/plain')).status).toBe(202);
      expect(await listedSeries(server.url, 'coll.>')).toEqual({
        'coll.v{host="a"}': { retained: 1, last: { t: expect.any(Number) as number, v: 1 } },
        'coll.v{dc="a"}': { retained: 1, last: { t: expect.any(Number) as number, v: 2 } },
      });
    });

    it('keeps tag values with dots whole, so they cannot make two tag sets one series', async () => {
      const body = 'dots,host=web1.example.com,region=eu v=1\ndots,host=web1,region=example.com.eu v=2';
      expect((await post(server.url, body, 'text/plain')).status).toBe(202);
      expect(await listedSeries(server.url, 'dots.>')).toEqual({
        'dots.v{host="web1.example.com",region="eu"}': { retained: 1, last: { t: expect.any(Number) as number, v: 1 } },
        'dots.v{host="web1",region="example.com.eu"}': { retained: 1, last: { t: expect.any(Number) as number, v: 2 } },
      });
    });

    it('lands a Telegraf-style line with 8 tags under one series key per field, whatever the tag order', async () => {
      const tags = [
        'cluster=prod',
        'dc=eu-west-1',
        'env=production',
        'host=web-01.example.com',
        'os=linux',
        'rack=r12',
        'role=frontend',
        'zone=b',
      ];
      const body = [
        `system,${tags.join(',')} load1=0.42,load5=0.38 1764230400000000000`,
        `system,${[...tags].reverse().join(',')} load1=0.51,load5=0.4 1764230410000000000`,
      ].join('\n');
      const res = await post<IngestResponse>(server.url, body, 'text/plain');
      expect(res.body).toEqual({ accepted: 4 });
      const labels =
        'cluster="prod",dc="eu-west-1",env="production",host="web-01.example.com",os="linux",rack="r12",role="frontend",zone="b"';
      expect(await listedSeries(server.url, 'system.>')).toEqual({
        [`system.load1{${labels}}`]: { retained: 2, last: { t: 1764230410000, v: 0.51 } },
        [`system.load5{${labels}}`]: { retained: 2, last: { t: 1764230410000, v: 0.4 } },
      });
    });

    it('makes tag keys label keys and keeps tag values as written', async () => {
      const body = 'tk,host.name=web1,1m=x,k8s-pod=api-7,path=C:\\temp,quote="hi",room=küche v=1';
      expect((await post(server.url, body, 'text/plain')).status).toBe(202);
      const labels = { host_name: 'web1', _1m: 'x', k8s_pod: 'api-7', path: 'C:\\temp', quote: '"hi"', room: 'küche' };
      expect(Object.keys(await listedSeries(server.url, 'tk.>'))).toEqual([seriesKey('tk.v', labels)]);
    });

    it.each([
      [
        'tags that would be one label',
        'tbad,host.name=a,host_name=b v=1',
        'tags "host.name" and "host_name" would both be the label host_name',
      ],
      [
        'a reserved tag key',
        'tbad,__name__=x v=1',
        'invalid tag key "__name__": label key "__name__" is reserved (keys starting with __)',
      ],
      [
        'a tag value over 1024 bytes',
        `tbad,host=${'é'.repeat(513)} v=1`,
        'invalid value for tag "host": label host must be at most 1024 bytes',
      ],
      [
        'more than 32 tags',
        `tbad${Array.from({ length: 33 }, (_, i) => `,t${i}=v`).join('')} v=1`,
        'more than 32 tags (a series has at most 32 labels)',
      ],
      [
        'an empty measurement segment',
        '.tbad,host=a v=1',
        'invalid feed name ".tbad.v": feed segments must not be empty',
      ],
    ])('refuses a body with %s whole, naming the line', async (_name, line, reason) => {
      const res = await post(server.url, `tbad,host=ok v=1\n${line}`, 'text/plain');
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('invalid_points');
      expect((res.body as ErrorDetails).error.details).toEqual([{ line: 2, reason }]);
      expect(await listedSeries(server.url, 'tbad.>')).toEqual({});
    });
  });
});

describe('writing only the series a token’s selectors allow', () => {
  let server: TestServer;
  let producer: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    server = await startAuthServer();
    producer = bearer(await token({ role: 'producer', sub: 'producer-acme', feeds: ['>{tenant="acme"}'] }));
    admin = bearer(await token({ role: 'admin' }));
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a JSON batch with a point of another tenant or of none: 403 naming each series key', async () => {
    const body = json([
      { feed: 'lt.cpu', labels: { tenant: 'acme', host: 'h1' }, v: 1 },
      { feed: 'lt.cpu', labels: { tenant: 'other' }, v: 2 },
      { feed: 'lt.cpu', v: 3 },
    ]);
    const res = await post(server.url, body, 'application/json', '', producer);
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('forbidden');
    expect((res.body as ErrorDetails).error.details).toEqual([
      { index: 1, reason: 'this token may not write lt.cpu{tenant="other"}' },
      { index: 2, reason: 'this token may not write lt.cpu' },
    ]);
    expect(await listedSeries(server.url, 'lt.>', admin)).toEqual({});

    const own = json([{ feed: 'lt.cpu', labels: { host: 'h1', tenant: 'acme' }, t: 1, v: 1 }]);
    expect((await post(server.url, own, 'application/json', '', producer)).status).toBe(202);
    expect(await listedSeries(server.url, 'lt.>', admin)).toEqual({
      'lt.cpu{host="h1",tenant="acme"}': { retained: 1, last: { t: 1, v: 1 } },
    });
  });

  it('judges line protocol by the series its tags make', async () => {
    const res = await post(server.url, 'ltp,tenant=acme v=1\nltp,tenant=other v=2', 'text/plain', '', producer);
    expect(res.status).toBe(403);
    expect((res.body as ErrorDetails).error.details).toEqual([
      { index: 1, reason: 'this token may not write ltp.v{tenant="other"}' },
    ]);
    expect((await post(server.url, 'ltp,tenant=acme v=1', 'text/plain', '', producer)).status).toBe(202);
    expect(Object.keys(await listedSeries(server.url, 'ltp.>', admin))).toEqual(['ltp.v{tenant="acme"}']);
  });
});
