import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlError, Dashboard, SessionInfo } from '@pulseboard/protocol';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthServer, TEST_SECRET, token } from './support/auth.js';
import { ControlClient } from './support/control-client.js';
import { errorCode, getJson, post } from './support/http.js';
import { ServerProcess } from './support/server-process.js';
import { startServer, type TestServer } from './support/server.js';
import { SseClient } from './support/sse-client.js';

const panels = { title: 'Mine', window: '15m', panels: [] };

function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
}

describe('auth: tokens and roles', () => {
  let server: TestServer;
  const opened: { close(): void }[] = [];

  beforeAll(async () => {
    server = await startAuthServer();
  });
  afterEach(() => {
    for (const item of opened.splice(0)) item.close();
  });
  afterAll(async () => {
    await server.close();
  });

  it('takes the token from the Authorization header, the access_token parameter and the cookie', async () => {
    const producer = await token({ role: 'producer' });
    const viewer = await token({ role: 'viewer', sub: 'alice', name: 'Alice' });
    expect(
      (await post(server.url, '{"points":[{"feed":"t.a","v":1}]}', 'application/json', '', bearer(producer))).status,
    ).toBe(202);

    const byQuery = await SseClient.open(`${server.url}/api/v1/stream?feeds=t.a&history=60000&access_token=${viewer}`);
    opened.push(byQuery);
    expect(byQuery.status).toBe(200);
    await byQuery.untilPoints('t.a', 1);

    const signIn = await getJson<SessionInfo>(`${server.url}/api/v1/session`, json('POST', { token: viewer }));
    expect(signIn.status).toBe(200);
    expect(signIn.body).toMatchObject({ auth: true, sub: 'alice', name: 'Alice', role: 'viewer', feeds: ['>'] });
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^pulseboard_token=[\w.-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/);
    const byCookie = await getJson<SessionInfo>(`${server.url}/api/v1/session`, {
      headers: { cookie: cookie.split(';')[0] },
    });
    expect(byCookie.body.sub).toBe('alice');

    const signOut = await fetch(`${server.url}/api/v1/session`, { method: 'DELETE' });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toMatch(/^pulseboard_token=; Max-Age=0;/);
  });

  it('marks the cookie Secure behind a TLS-terminating proxy it trusts', async () => {
    const proxied = await startAuthServer({ TRUST_PROXY: 'loopback' });
    try {
      const viewer = await token({ role: 'viewer' });
      const res = await getJson(
        `${proxied.url}/api/v1/session`,
        json('POST', { token: viewer }, { 'x-forwarded-proto': 'https' }),
      );
      expect(res.headers.get('set-cookie')).toMatch(/; Secure; SameSite=Strict$/);
    } finally {
      await proxied.close();
    }
  });

  it('answers 401 with a code for a missing, invalid or expired token', async () => {
    const missing = await getJson(`${server.url}/api/v1/feeds`);
    expect([missing.status, errorCode(missing.body)]).toEqual([401, 'unauthorized']);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="pulseboard"');
    const forged = await mintWith('another-secret-of-at-least-32-bytes!', { role: 'admin' });
    const invalid = await getJson(`${server.url}/api/v1/feeds`, { headers: bearer(forged) });
    expect([invalid.status, errorCode(invalid.body)]).toEqual([401, 'invalid_token']);
    const expired = await getJson(`${server.url}/api/v1/feeds`, {
      headers: bearer(await token({ role: 'viewer' }, -5)),
    });
    expect([expired.status, errorCode(expired.body)]).toEqual([401, 'token_expired']);
    const signIn = await getJson(`${server.url}/api/v1/session`, json('POST', { token: 'not.a.token' }));
    expect([signIn.status, errorCode(signIn.body)]).toEqual([401, 'invalid_token']);
  });

  it('lets each role do its part only', async () => {
    const viewer = bearer(await token({ role: 'viewer' }));
    const producer = bearer(await token({ role: 'producer' }));
    const admin = bearer(await token({ role: 'admin' }));
    const status = async (path: string, headers: Record<string, string>) =>
      (await fetch(`${server.url}${path}`, { headers })).status;

    expect((await post(server.url, '{"points":[]}', 'application/json', '', viewer)).status).toBe(403);
    expect(await status('/api/v1/feeds', producer)).toBe(403);
    expect(await status('/api/v1/dashboards', producer)).toBe(403);
    expect(await status('/api/v1/feeds', viewer)).toBe(200);
    expect(await status('/metrics', viewer)).toBe(403);
    expect(await status('/metrics', admin)).toBe(200);
    expect(await status('/health/ready', {})).toBe(200);
    expect(await status('/api/v1/session', producer)).toBe(200);
  });

  it('lets viewers read every dashboard but change only their own; admins change any', async () => {
    const alice = bearer(await token({ role: 'viewer', sub: 'alice' }));
    const bob = bearer(await token({ role: 'viewer', sub: 'bob' }));
    const admin = bearer(await token({ role: 'admin', sub: 'root' }));
    const created = await getJson<Dashboard>(`${server.url}/api/v1/dashboards`, json('POST', panels, alice));
    expect(created.status).toBe(201);
    expect(created.body.owner).toBe('alice');
    const url = `${server.url}/api/v1/dashboards/${created.body.id}`;

    expect((await getJson(url, { headers: bob })).status).toBe(200);
    const taken = await getJson(url, json('PUT', { ...panels, title: 'Bob was here' }, bob));
    expect([taken.status, errorCode(taken.body)]).toEqual([403, 'forbidden']);
    expect((await getJson(url, { method: 'DELETE', headers: bob })).status).toBe(403);
    expect((await getJson<Dashboard>(url, { headers: alice })).body.title).toBe('Mine');

    expect((await getJson(url, json('PUT', { ...panels, title: 'Renamed' }, alice))).status).toBe(200);
    expect((await getJson(url, { method: 'DELETE', headers: admin })).status).toBe(204);
  });

  it('lets the author or an admin delete an annotation, and viewers of the dashboard see it go', async () => {
    const aliceToken = await token({ role: 'viewer', sub: 'alice', name: 'Alice' });
    const alice = await ControlClient.connect(server.url, { auth: { token: aliceToken } });
    const bob = await ControlClient.connect(server.url, {
      auth: { token: await token({ role: 'viewer', sub: 'bob' }) },
    });
    opened.push(alice, bob);
    const room = await getJson(`${server.url}/api/v1/dashboards/war-room`, {
      method: 'PUT',
      headers: { ...bearer(aliceToken), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'War room', window: '5m', panels: [] }),
    });
    expect(room.status).toBe(201);
    await bob.ack('join', { dashboard: 'war-room' });
    const first = await alice.ack('annotate', { dashboard: 'war-room', t: 1000, text: 'deploy' });
    const second = await alice.ack('annotate', { dashboard: 'war-room', t: 2000, text: 'rollback' });
    expect([first.ok, second.ok]).toEqual([true, true]);
    const url = (id: unknown) => `${server.url}/api/v1/dashboards/war-room/annotations/${String(id)}`;

    const byBob = await getJson(url(first.id), {
      method: 'DELETE',
      headers: bearer(await token({ role: 'viewer', sub: 'bob' })),
    });
    expect([byBob.status, errorCode(byBob.body)]).toEqual([403, 'forbidden']);
    expect((await fetch(url(first.id), { method: 'DELETE', headers: bearer(aliceToken) })).status).toBe(204);
    const admin = bearer(await token({ role: 'admin', sub: 'root' }));
    expect((await fetch(url(second.id), { method: 'DELETE', headers: admin })).status).toBe(204);
    const again = await getJson(url(second.id), { method: 'DELETE', headers: admin });
    expect([again.status, errorCode(again.body)]).toEqual([404, 'annotation_not_found']);

    await bob.until((c) => c.named('annotation_removed').length === 2, 'two removals');
    expect(bob.named('annotation_removed')).toEqual([
      { dashboard: 'war-room', id: first.id },
      { dashboard: 'war-room', id: second.id },
    ]);
    const left = await getJson<unknown[]>(`${server.url}/api/v1/dashboards/war-room/annotations`, { headers: admin });
    expect(left.body).toEqual([]);
  });

  it('ends a stream at its token expiry with event: error token_expired', async () => {
    const viewer = await token({ role: 'viewer' }, 2);
    const stream = await SseClient.open(`${server.url}/api/v1/stream?feeds=t.exp`, bearer(viewer));
    opened.push(stream);
    expect(stream.status).toBe(200);
    await stream.until((s) => s.ended, 10_000, 'the stream to end');
    const error = stream.named('error');
    expect(error).toHaveLength(1);
    expect(JSON.parse(error[0].data)).toMatchObject({ code: 'token_expired' });
    expect(stream.events.at(-1)?.event).toBe('error');
  });

  it('refuses sockets without a valid viewer token and disconnects them when it expires', async () => {
    await expect(ControlClient.connect(server.url)).rejects.toMatchObject({
      message: 'unauthorized',
      data: { code: 'unauthorized' },
    });
    await expect(
      ControlClient.connect(server.url, { auth: { token: await token({ role: 'producer' }) } }),
    ).rejects.toMatchObject({ message: 'forbidden' });
    await expect(
      ControlClient.connect(server.url, { auth: { token: await token({ role: 'viewer' }, -5) } }),
    ).rejects.toMatchObject({ message: 'token_expired' });

    const client = await ControlClient.connect(server.url, {
      auth: { token: await token({ role: 'viewer', sub: 'carol', name: 'Carol' }, 2) },
    });
    opened.push(client);
    const errors: ControlError[] = [];
    client.socket.on('error', (error) => errors.push(error));
    const joined = await client.ack('join', { dashboard: 'ops' });
    expect(joined).toMatchObject({ ok: true, viewers: [{ id: 'carol', name: 'Carol' }] });
    await client.untilDisconnected();
    expect(errors).toEqual([{ code: 'token_expired', message: expect.any(String) as string }]);
    expect(client.disconnectReason).toBe('io server disconnect');
  });
});

describe('auth: rotating the secret', () => {
  it('keeps accepting tokens of the previous secret until they expire', async () => {
    const rotated = await startServer({
      AUTH_SECRET: 'the-new-secret-of-at-least-thirty-two-bytes',
      AUTH_SECRET_PREVIOUS: TEST_SECRET,
    });
    try {
      const old = await token({ role: 'viewer', sub: 'before-rotation' });
      const fresh = await mintWith('the-new-secret-of-at-least-thirty-two-bytes', { role: 'viewer' });
      const other = await mintWith('an-unrelated-secret-of-thirty-two-bytes', { role: 'viewer' });
      const status = async (value: string) =>
        (await getJson(`${rotated.url}/api/v1/session`, { headers: bearer(value) })).status;
      expect([await status(old), await status(fresh), await status(other)]).toEqual([200, 200, 401]);
    } finally {
      await rotated.close();
    }
  });
});

describe('auth: keys from a JWKS URL', () => {
  let jwksServer: Server;
  let server: TestServer;
  let rsa: CryptoKey;
  let ec: CryptoKey;

  beforeAll(async () => {
    const rsaPair = await generateKeyPair('RS256');
    const ecPair = await generateKeyPair('ES256');
    rsa = rsaPair.privateKey;
    ec = ecPair.privateKey;
    const keys: JWK[] = [
      { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    server = await startServer({
      JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      AUTH_ISSUER: 'https://idp.example.com',
    });
  });
  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  async function idpToken(key: CryptoKey, alg: string, kid: string, issuer = 'https://idp.example.com') {
    return new SignJWT({ role: 'viewer', feeds: ['host1.>'] })
      .setProtectedHeader({ alg, kid })
      .setSubject('dana')
      .setIssuer(issuer)
      .setExpirationTime('10m')
      .sign(key);
  }

  it('accepts RS256 and ES256 tokens signed by the provider’s keys', async () => {
    for (const signed of [await idpToken(rsa, 'RS256', 'rsa-1'), await idpToken(ec, 'ES256', 'ec-1')]) {
      const res = await getJson<SessionInfo>(`${server.url}/api/v1/session`, { headers: bearer(signed) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ sub: 'dana', role: 'viewer', feeds: ['host1.>'] });
    }
  });

  it('answers 503 auth_unavailable while the provider’s keys cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await startServer({ JWKS_URL: `http://127.0.0.1:${port}/jwks.json` });
    try {
      const res = await getJson(`${unreachable.url}/api/v1/feeds`, {
        headers: bearer(await idpToken(rsa, 'RS256', 'rsa-1')),
      });
      expect([res.status, errorCode(res.body)]).toEqual([503, 'auth_unavailable']);
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      await unreachable.close();
    }
  });

  it('refuses an unknown key, another issuer, and HS256 tokens when only a JWKS is configured', async () => {
    const cases = [
      await idpToken(rsa, 'RS256', 'unknown-kid'),
      await idpToken(rsa, 'RS256', 'rsa-1', 'https://elsewhere.example.com'),
      await mintWith(TEST_SECRET, { role: 'admin' }),
    ];
    for (const signed of cases) {
      const res = await getJson(`${server.url}/api/v1/feeds`, { headers: bearer(signed) });
      expect([res.status, errorCode(res.body)]).toEqual([401, 'invalid_token']);
    }
  });
});

describe('auth: open mode and logs', () => {
  it('treats every caller as allowed when no secret is configured', async () => {
    const server = await startServer();
    try {
      const res = await getJson<SessionInfo>(`${server.url}/api/v1/session`);
      expect(res.body).toEqual({
        auth: false,
        sub: 'anonymous',
        name: 'anonymous',
        role: 'admin',
        feeds: ['>'],
        expiresAt: null,
      });
    } finally {
      await server.close();
    }
  });

  it('never writes the access_token parameter to a log line', async () => {
    const server = await ServerProcess.start({ AUTH_SECRET: TEST_SECRET, LOG_LEVEL: 'debug' });
    try {
      const secretToken = await token({ role: 'viewer' });
      const forged = `${secretToken.slice(0, -4)}AAAA`;
      const ok = await fetch(`${server.url}/api/v1/feeds?access_token=${secretToken}&match=a.%3E`);
      expect(ok.status).toBe(200);
      const refused = await fetch(`${server.url}/api/v1/feeds?match=a.%3E&access_token=${forged}`);
      expect(refused.status).toBe(401);
      const stream = await SseClient.open(`${server.url}/api/v1/stream?feeds=a.b&access_token=${secretToken}`);
      stream.close();
      await server.untilOutput(
        (lines) => lines.filter((line) => line.includes('/api/v1/feeds')).length >= 2,
        'two access log lines',
      );
      const logged = server.output.join('\n');
      expect(logged).toContain('/api/v1/feeds?access_token=[redacted]&match=a.%3E');
      expect(logged).toContain('/api/v1/feeds?match=a.%3E&access_token=[redacted]');
      expect(logged).not.toContain(secretToken.split('.')[2]);
      expect(logged).not.toContain(forged.split('.')[2]);
    } finally {
      await server.stop();
    }
  });
});

function mintWith(secret: string, claims: { role: string }): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('mallory')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}
