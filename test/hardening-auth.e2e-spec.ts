import { createHmac } from 'node:crypto';
import { mintToken } from '@pulseboard/auth';
import type { ErrorBody, FeedInfo, SessionInfo } from '@pulseboard/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthServer, TEST_SECRET, token } from './support/auth.js';
import { ControlClient } from './support/control-client.js';
import { hardenedSuite } from './support/hardened-suite.js';
import { errorCode, getJson, post } from './support/http.js';
import { upgrade } from './support/raw-http.js';
import { startServer } from './support/server.js';
import { SseClient } from './support/sse-client.js';

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT assembled by hand, so that its header and claims can be anything; HMAC-SHA256 signed unless `secret` is null. */
function jwt(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string | null = TEST_SECRET) {
  const input = `${base64url(header)}.${base64url(claims)}`;
  if (secret === null) return `${input}.`;
  const algorithm = header.alg === 'HS512' ? 'sha512' : 'sha256';
  return `${input}.${createHmac(algorithm, secret).update(input).digest('base64url')}`;
}

const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: 'someone',
  role: 'admin',
  exp: inAnHour(),
  ...extra,
});
const json = (points: unknown[]): string => JSON.stringify({ points });

describe('auth hardening', () => {
  let admin: string;
  const suite = hardenedSuite(startAuthServer, async () => {
    admin = await token({ role: 'admin', sub: 'bystander' });
    return { token: admin };
  });
  const open = (path: string, headers: Record<string, string>): Promise<SseClient> => suite.stream(path, headers);
  const connect = (auth: Record<string, string>): Promise<ControlClient> => suite.socket({ auth });
  const get = (path: string, headers: Record<string, string> = {}) =>
    getJson(`${suite.server.url}${path}`, { headers });

  describe('tokens', () => {
    it.each([
      ['POST', '/api/v1/ingest'],
      ['GET', '/api/v1/stream?feeds=a.b'],
      ['GET', '/api/v1/feeds'],
      ['GET', '/api/v1/poll?feeds=a.b'],
      ['GET', '/metrics'],
    ])('answers %s %s without a token with 401 unauthorized', async (method, path) => {
      const res = await getJson(`${suite.server.url}${path}`, {
        method,
        body: method === 'POST' ? json([{ feed: 'a.b', v: 1 }]) : undefined,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(401);
      expect(errorCode(res.body)).toBe('unauthorized');
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      await suite.bystander.stillServes();
    });

    it('refuses a control socket without a token with connect_error unauthorized', async () => {
      await expect(ControlClient.connect(suite.server.url)).rejects.toThrow('unauthorized');
      await suite.bystander.stillServes();
    });

    it.each<[string, string, () => string | Promise<string>]>([
      ['garbage', 'invalid_token', () => 'garbage'],
      ['three parts that are not JSON', 'invalid_token', () => 'YWJj.ZGVm.Z2hp'],
      [
        'a token signed with another secret',
        'invalid_token',
        () => mintToken('another-secret-of-at-least-thirty-two-bytes', { sub: 'x', role: 'admin' }, 3600),
      ],
      ['alg none without a signature', 'invalid_token', () => jwt({ alg: 'none', typ: 'JWT' }, claims(), null)],
      ['HS512 with the right secret', 'invalid_token', () => jwt({ alg: 'HS512', typ: 'JWT' }, claims())],
      ['role boss', 'invalid_token', () => jwt({ alg: 'HS256' }, claims({ role: 'boss' }))],
      ['feeds with a bad pattern', 'invalid_token', () => jwt({ alg: 'HS256' }, claims({ feeds: ['a.>.b'] }))],
      ['feeds that are not an array', 'invalid_token', () => jwt({ alg: 'HS256' }, claims({ feeds: 'host1.>' }))],
      ['an empty feeds list', 'invalid_token', () => jwt({ alg: 'HS256' }, claims({ feeds: [] }))],
      ['no sub', 'invalid_token', () => jwt({ alg: 'HS256' }, claims({ sub: undefined }))],
      ['a sub with a line break', 'invalid_token', () => jwt({ alg: 'HS256' }, claims({ sub: 'a\r\nb' }))],
      ['no exp', 'invalid_token', () => jwt({ alg: 'HS256' }, claims({ exp: undefined }))],
      ['an expired token', 'token_expired', () => token({ role: 'admin' }, -10)],
    ])('answers a request with %s with 401 %s', async (_name, code, make) => {
      const res = await get('/api/v1/feeds', bearer(await make()));
      expect(res.status).toBe(401);
      expect(errorCode(res.body)).toBe(code);
      await suite.bystander.stillServes();
    });

    const signIn = (signed: string) =>
      getJson(`${suite.server.url}/api/v1/session`, {
        method: 'POST',
        body: JSON.stringify({ token: signed }),
        headers: { 'content-type': 'application/json' },
      });

    it('answers a token whose exp no date can hold (1e308) with 401 invalid_token wherever it is shown', async () => {
      const endless = jwt({ alg: 'HS256' }, claims({ exp: 1e308 }));
      const session = await signIn(endless);
      expect([session.status, errorCode(session.body)]).toEqual([401, 'invalid_token']);
      expect((session.body as ErrorBody).error.message).toContain('exp');
      expect(session.headers.get('set-cookie')).toBeNull();
      expect(errorCode((await get('/api/v1/feeds', bearer(endless))).body)).toBe('invalid_token');
      const stream = await open('/api/v1/stream?feeds=exp.far', bearer(endless));
      expect(stream.status).toBe(401);
      await expect(connect({ token: endless })).rejects.toThrow('invalid_token');
      await suite.bystander.stillServes();
    });

    it('signs in with a token that expires in the year 9999, keeping its cookie at most 400 days', async () => {
      const exp = Date.UTC(9999, 11, 31) / 1000;
      const session = await signIn(jwt({ alg: 'HS256' }, claims({ exp })));
      expect(session.status).toBe(200);
      expect((session.body as SessionInfo).expiresAt).toBe(exp * 1000);
      expect(session.headers.get('set-cookie')).toContain(`Max-Age=${400 * 24 * 3600};`);
      // the socket's expiry timer is armed in steps setTimeout can take: the socket stays and works
      const socket = await connect({ token: jwt({ alg: 'HS256' }, claims({ exp })) });
      expect(await socket.ack('subscribe', { feeds: ['exp.far'] })).toMatchObject({ ok: true });
      expect(socket.disconnectReason).toBeUndefined();
      await suite.bystander.stillServes();
    });

    it('reads a bad token from the access_token parameter and the cookie too', async () => {
      const query = await get('/api/v1/stream?feeds=a.b&access_token=garbage');
      expect(query.status).toBe(401);
      expect(errorCode(query.body)).toBe('invalid_token');
      const cookie = await get('/api/v1/feeds', { cookie: 'pulseboard_token=garbage' });
      expect(cookie.status).toBe(401);
      expect(errorCode(cookie.body)).toBe('invalid_token');
      const expired = await token({ role: 'viewer' }, -10);
      const socket = ControlClient.connect(suite.server.url, { auth: { token: expired } });
      await expect(socket).rejects.toThrow('token_expired');
      await suite.bystander.stillServes();
    });

    it('ends a stream when its token expires, then refuses the token with token_expired', async () => {
      const shortLived = await token({ role: 'viewer', sub: 'short-lived' }, 2);
      const stream = await open('/api/v1/stream?feeds=exp.a', bearer(shortLived));
      expect(stream.status).toBe(200);
      await stream.until((c) => c.ended, 6000, 'the stream to end at expiry');
      expect(stream.named('error').map((e) => (JSON.parse(e.data) as { code: string }).code)).toEqual([
        'token_expired',
      ]);
      const res = await get('/api/v1/feeds', bearer(shortLived));
      expect(res.status).toBe(401);
      expect(errorCode(res.body)).toBe('token_expired');
      await suite.bystander.stillServes();
    });
  });

  describe('roles', () => {
    it('refuses ingest from a viewer with 403 forbidden and stores nothing', async () => {
      const viewer = await token({ role: 'viewer' });
      const res = await post(
        suite.server.url,
        json([{ feed: 'roles.v', v: 1 }]),
        'application/json',
        '',
        bearer(viewer),
      );
      expect(res.status).toBe(403);
      expect(errorCode(res.body)).toBe('forbidden');
      expect((await get('/api/v1/feeds/roles.v/points', bearer(admin))).status).toBe(404);
      await suite.bystander.stillServes();
    });

    it.each([
      '/api/v1/stream?feeds=a.b',
      '/api/v1/feeds/a.b/stream',
      '/api/v1/poll?feeds=a.b',
      '/api/v1/feeds',
      '/api/v1/feeds/a.b/points',
      '/api/v1/dashboards',
      '/api/v1/dashboards/d1/annotations',
    ])('refuses GET %s from a producer with 403 forbidden', async (path) => {
      const res = await get(path, bearer(await token({ role: 'producer' })));
      expect(res.status).toBe(403);
      expect(errorCode(res.body)).toBe('forbidden');
      await suite.bystander.stillServes();
    });

    it('refuses a control socket of a producer with connect_error forbidden', async () => {
      const producer = await token({ role: 'producer' });
      await expect(ControlClient.connect(suite.server.url, { auth: { token: producer } })).rejects.toThrow('forbidden');
      await suite.bystander.stillServes();
    });

    it('serves /metrics to admins only while /health stays open', async () => {
      for (const role of ['viewer', 'producer'] as const) {
        const res = await get('/metrics', bearer(await token({ role })));
        expect(res.status, role).toBe(403);
        expect(errorCode(res.body), role).toBe('forbidden');
      }
      const metrics = await fetch(`${suite.server.url}/metrics`, { headers: bearer(admin) });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('# TYPE');
      expect((await get('/health/live')).status).toBe(200);
      expect((await get('/health/ready')).status).toBe(200);
      await suite.bystander.stillServes();
    });
  });

  describe('the feeds claim', () => {
    let producer: string;
    let viewer: string;
    beforeAll(async () => {
      producer = await token({ role: 'producer', sub: 'producer-host1', feeds: ['host1.>'] });
      viewer = await token({ role: 'viewer', sub: 'viewer-host1', feeds: ['host1.>'] });
    });

    it('refuses a batch with a point outside the producer’s patterns whole: 403 naming it, nothing stored', async () => {
      const batch = json([
        { feed: 'host1.atomic', v: 1 },
        { feed: 'host2.atomic', v: 2 },
        { feed: 'host1.atomic', v: 3 },
      ]);
      const res = await post(suite.server.url, batch, 'application/json', '', bearer(producer));
      expect(res.status).toBe(403);
      expect(errorCode(res.body)).toBe('forbidden');
      expect((res.body as { error: { details: unknown[] } }).error.details).toEqual([
        { index: 1, reason: expect.stringContaining('host2.atomic') as string },
      ]);
      const stored = await get('/api/v1/feeds/host1.atomic/points', bearer(admin));
      expect(stored.status).toBe(404);
      expect(errorCode(stored.body)).toBe('feed_not_found');
      const allowed = await post(suite.server.url, json([{ feed: 'host1.atomic', v: 4 }]), 'application/json', '', {
        ...bearer(producer),
      });
      expect(allowed.status).toBe(202);
      await suite.bystander.stillServes();
    });

    it.each([
      '/api/v1/stream?feeds=host2.cpu',
      '/api/v1/stream?feeds=%3E',
      '/api/v1/stream?feeds=*.cpu',
      '/api/v1/stream?feeds=host1',
      '/api/v1/stream?feeds=host1.cpu,host2.cpu',
      '/api/v1/feeds/host2.cpu/stream',
    ])('refuses a viewer of host1.> the stream %s with 403 forbidden', async (path) => {
      const stream = await open(path, bearer(viewer));
      await stream.until((c) => c.ended, 10_000, 'the refusal to end');
      expect(stream.status).toBe(403);
      expect(errorCode(JSON.parse(stream.body))).toBe('forbidden');
      await suite.bystander.stillServes();
    });

    it('resumes a viewer’s stream only for its own feeds, refusing a cursor replay of another feed', async () => {
      const watcher = await open('/api/v1/stream?feeds=host1.r,host2.r', bearer(admin));
      const both = (v: number) => [
        { feed: 'host1.r', v },
        { feed: 'host2.r', v },
      ];
      await post(suite.server.url, json(both(1)), 'application/json', '', bearer(admin));
      await watcher.untilPoints('host2.r', 1);
      const cursor = watcher.lastId();
      expect(cursor).toBeDefined();
      await post(suite.server.url, json(both(2)), 'application/json', '', bearer(admin));
      await watcher.untilPoints('host2.r', 2);

      const replay = await open('/api/v1/stream?feeds=host2.r', { ...bearer(viewer), 'last-event-id': cursor! });
      await replay.until((c) => c.ended, 10_000, 'the refusal to end');
      expect(replay.status).toBe(403);
      expect(errorCode(JSON.parse(replay.body))).toBe('forbidden');

      const resumed = await open('/api/v1/stream?feeds=host1.%3E', { ...bearer(viewer), 'last-event-id': cursor! });
      expect(resumed.status).toBe(200);
      await resumed.untilPoints('host1.r', 1);
      await post(suite.server.url, json(both(3)), 'application/json', '', bearer(admin));
      await resumed.untilPoints('host1.r', 2);
      expect(resumed.points('host1.r').v).toEqual([2, 3]);
      expect(resumed.points('host2.r').v).toEqual([]);
      await suite.bystander.stillServes();
    });

    it('answers a viewer’s socket subscribe outside its patterns with forbidden and keeps the socket', async () => {
      const socket = await connect({ token: viewer });
      for (const feeds of [['host2.cpu'], ['>'], ['*.cpu'], ['host1.cpu', 'host2.cpu']]) {
        const ack = await socket.ack('subscribe', { feeds });
        expect(ack, feeds.join()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      expect(await socket.ack('subscribe', { feeds: ['host1.sock'] })).toMatchObject({ ok: true });
      await post(suite.server.url, json([{ feed: 'host1.sock', v: 9 }]), 'application/json', '', bearer(admin));
      await socket.untilValues('host1.sock', 1);
      await suite.bystander.stillServes();
    });

    it('lists only the feeds a viewer may read', async () => {
      const feeds = json([
        { feed: 'host1.list.a', v: 1 },
        { feed: 'host2.list.b', v: 2 },
      ]);
      expect((await post(suite.server.url, feeds, 'application/json', '', bearer(admin))).status).toBe(202);
      const listed = await get('/api/v1/feeds?match=*.list.*', bearer(viewer));
      expect(listed.status).toBe(200);
      expect((listed.body as FeedInfo[]).map((f) => f.name)).toEqual(['host1.list.a']);
      const other = await get('/api/v1/feeds?match=host2.%3E', bearer(viewer));
      expect(other.status).toBe(200);
      expect(other.body).toEqual([]);
      await suite.bystander.stillServes();
    });

    it('refuses points of a feed outside the viewer’s patterns with 403, whether or not the feed exists', async () => {
      await post(suite.server.url, json([{ feed: 'host2.secret', v: 1 }]), 'application/json', '', bearer(admin));
      for (const feed of ['host2.secret', 'host2.nothing']) {
        const res = await get(`/api/v1/feeds/${feed}/points`, bearer(viewer));
        expect(res.status, feed).toBe(403);
        expect(errorCode(res.body), feed).toBe('forbidden');
      }
      await suite.bystander.stillServes();
    });

    it('refuses a poll outside the viewer’s patterns with 403 forbidden', async () => {
      for (const feeds of ['host2.cpu', '%3E', 'host1.a,*.b']) {
        const res = await get(`/api/v1/poll?feeds=${feeds}`, bearer(viewer));
        expect(res.status, feeds).toBe(403);
        expect(errorCode(res.body), feeds).toBe('forbidden');
      }
      await suite.bystander.stillServes();
    });

    it('refuses a foreign Origin with origin_not_allowed even with a valid admin token', async () => {
      const res = await get('/api/v1/feeds', { ...bearer(admin), origin: 'https://evil.example' });
      expect(res.status).toBe(403);
      expect(errorCode(res.body)).toBe('origin_not_allowed');
      await suite.bystander.stillServes();
    });
  });
});

describe('origin hardening', () => {
  const suite = hardenedSuite(() => startServer());
  const evil = { origin: 'https://evil.example' };
  const connect = (options: Parameters<typeof ControlClient.connect>[1] = {}): Promise<ControlClient> =>
    suite.socket(options);

  it.each([
    ['GET', '/api/v1/stream?feeds=o.a'],
    ['GET', '/api/v1/feeds/o.a/stream'],
    ['POST', '/api/v1/ingest'],
    ['GET', '/api/v1/feeds'],
    ['GET', '/api/v1/poll?feeds=o.a'],
    ['GET', '/metrics'],
  ])('refuses %s %s from a foreign Origin with 403 origin_not_allowed in open mode', async (method, path) => {
    const res = await getJson(`${suite.server.url}${path}`, {
      method,
      body: method === 'POST' ? json([{ feed: 'o.a', v: 1 }]) : undefined,
      headers: { 'content-type': 'application/json', ...evil },
    });
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('origin_not_allowed');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const stored = await getJson(`${suite.server.url}/api/v1/feeds/o.a/points`);
    expect(stored.status).toBe(404);
    await suite.bystander.stillServes();
  });

  it.each([
    ['the null origin', () => 'null'],
    ['a look-alike host', () => `http://127.0.0.1.evil.example:${new URL(suite.server.url).port}`],
    ['the same host on another port', () => 'http://127.0.0.1:1'],
    ['the server’s address as userinfo', () => `http://127.0.0.1:${new URL(suite.server.url).port}@evil.example`],
    ['a malformed origin', () => 'http//127.0.0.1'],
  ])('refuses %s with 403 origin_not_allowed', async (_name, origin) => {
    const res = await getJson(`${suite.server.url}/api/v1/feeds`, { headers: { origin: origin() } });
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('origin_not_allowed');
    await suite.bystander.stillServes();
  });

  it('lets the server’s own origin through and keeps /health open to any origin', async () => {
    const own = { origin: suite.server.url };
    const ingested = await post(suite.server.url, json([{ feed: 'o.same', v: 1 }]), 'application/json', '', own);
    expect(ingested.status).toBe(202);
    const stream = await SseClient.open(`${suite.server.url}/api/v1/stream?feeds=o.same&history=60000`, own);
    try {
      expect(stream.status).toBe(200);
      await stream.untilPoints('o.same', 1);
    } finally {
      stream.close();
    }
    const health = await getJson(`${suite.server.url}/health/live`, { headers: evil });
    expect(health.status).toBe(200);
    await suite.bystander.stillServes();
  });

  it('refuses a Socket.IO handshake from a foreign Origin over WebSocket and polling, and admits one without', async () => {
    await expect(connect({ extraHeaders: evil })).rejects.toThrow();
    const polling = await getJson<{ code: number; message: string }>(
      `${suite.server.url}/socket.io/?EIO=4&transport=polling`,
      { headers: evil },
    );
    expect(polling.status).toBe(403);
    expect(polling.body.message).toBe('origin_not_allowed');

    const socket = await connect();
    expect(await socket.ack('subscribe', { feeds: ['o.sock'] })).toMatchObject({ ok: true });
    await post(suite.server.url, json([{ feed: 'o.sock', v: 1 }]), 'application/json');
    await socket.untilValues('o.sock', 1);
    await suite.bystander.stillServes();
  });

  it('answers a foreign Origin’s WebSocket upgrade with 403 origin_not_allowed', async () => {
    const refusal = await upgrade(suite.server.url, '/socket.io/?EIO=4&transport=websocket', evil);
    expect(refusal.body).toContain('origin_not_allowed');
    expect(refusal.status).toBe(403);
    await suite.bystander.stillServes();
  });
});

describe('ALLOWED_ORIGINS', () => {
  const ops = 'https://ops.example.com';
  const suite = hardenedSuite(() => startServer({ ALLOWED_ORIGINS: ops }));

  it('lets a listed origin through with CORS headers, preflight included, and still refuses others', async () => {
    const listed = await getJson(`${suite.server.url}/api/v1/feeds`, { headers: { origin: ops } });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe(ops);
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');

    const preflight = await fetch(`${suite.server.url}/api/v1/ingest`, {
      method: 'OPTIONS',
      headers: {
        origin: ops,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ops);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const ingested = await post(suite.server.url, json([{ feed: 'o.cors', v: 1 }]), 'application/json', '', {
      origin: ops,
    });
    expect(ingested.status).toBe(202);

    const foreign = await fetch(`${suite.server.url}/api/v1/ingest`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(403);
    expect(errorCode(await foreign.json())).toBe('origin_not_allowed');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    await suite.bystander.stillServes();
  });

  it('admits a Socket.IO handshake from a listed origin and refuses a foreign one', async () => {
    const socket = await ControlClient.connect(suite.server.url, { extraHeaders: { origin: ops } });
    try {
      expect(await socket.ack('subscribe', { feeds: ['o.listed'] })).toMatchObject({ ok: true });
    } finally {
      socket.close();
    }
    const foreign = ControlClient.connect(suite.server.url, {
      extraHeaders: { origin: 'https://ops.example.com.evil' },
    });
    await expect(foreign).rejects.toThrow();
    await suite.bystander.stillServes();
  });
});
