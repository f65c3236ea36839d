import { describe, expect, it } from 'vitest';
import { bearer, startAuthServer, token } from './support/auth.js';
import { hardenedSuite } from './support/hardened-suite.js';
import { errorCode, getJson } from './support/http.js';
import { metricValue } from './support/metrics.js';
import { raw, upgrade } from './support/raw-http.js';
import { startServer } from './support/server.js';

const ingestBody = (feed: string): string => JSON.stringify({ points: [{ feed, v: 1 }] });

describe('origin check on every spelling of a path', () => {
  const suite = hardenedSuite(() => startServer());
  const evil = { origin: 'https://evil.example' };

  it.each([
    ['POST', '/API/v1/ingest'],
    ['POST', '/Api/v1/ingest'],
    ['POST', '/api/V1/Ingest'],
    ['POST', '/api/v1/ingest/'],
    ['GET', '/Metrics'],
    ['GET', '/API/v1/feeds'],
    ['GET', '/api/v1/STREAM?feeds=case.a'],
  ])('refuses %s %s from a foreign Origin with 403 origin_not_allowed', async (method, path) => {
    const before = await metricValue(suite.server.url, 'pulseboard_refusals_total{code="origin_not_allowed"}');
    // text/plain: the no-preflight POST any page can send
    const answer = await raw(
      suite.server.url,
      method,
      path,
      { ...evil, 'content-type': 'text/plain' },
      method === 'POST' ? 'case.a v=1' : '',
    );
    expect(answer.status).toBe(403);
    expect(errorCode(JSON.parse(answer.body))).toBe('origin_not_allowed');
    expect((await getJson(`${suite.server.url}/api/v1/feeds/case.a/points`)).status).toBe(404);
    expect(await metricValue(suite.server.url, 'pulseboard_refusals_total{code="origin_not_allowed"}')).toBe(
      before + 1,
    );
    await suite.bystander.stillServes();
  });

  it('refuses a foreign Origin’s WebSocket upgrade on any spelling of the socket path', async () => {
    for (const path of ['/socket.io/?EIO=4&transport=websocket', '/SOCKET.IO/?EIO=4&transport=websocket']) {
      const answer = await upgrade(suite.server.url, path, evil);
      expect(answer.status, path).toBe(403);
      expect(answer.body, path).toContain('origin_not_allowed');
    }
    await suite.bystander.stillServes();
  });

  it('still answers health probes from any origin, and the server’s own origin everywhere', async () => {
    expect((await raw(suite.server.url, 'GET', '/HEALTH/live', evil)).status).toBe(200);
    const own = await raw(
      suite.server.url,
      'POST',
      '/API/v1/ingest',
      {
        origin: suite.server.url,
        'content-type': 'application/json',
      },
      ingestBody('case.own'),
    );
    expect(own.status).toBe(202);
    await suite.bystander.stillServes();
  });
});

describe('host names in open mode (DNS rebinding)', () => {
  const suite = hardenedSuite(() => startServer({ ALLOWED_HOSTS: 'dash.example.com' }));
  const port = (): string => new URL(suite.server.url).port;
  const rebound = (): Record<string, string> => ({ host: `attacker.example:${port()}` });

  it.each([
    ['POST', '/api/v1/ingest'],
    ['GET', '/api/v1/feeds'],
    ['GET', '/api/v1/stream?feeds=rebind.a'],
    ['GET', '/api/v1/dashboards'],
    ['GET', '/metrics'],
    ['GET', '/socket.io/?EIO=4&transport=polling'],
    ['GET', '/'],
  ])('refuses %s %s under a foreign host name with 403 host_not_allowed', async (method, path) => {
    const before = await metricValue(suite.server.url, 'pulseboard_refusals_total{code="host_not_allowed"}');
    const answer = await raw(
      suite.server.url,
      method,
      path,
      { ...rebound(), 'content-type': 'application/json' },
      method === 'POST' ? ingestBody('rebind.a') : '',
    );
    expect(answer.status).toBe(403);
    const body = JSON.parse(answer.body) as { code?: unknown; message?: unknown };
    // engine.io answers its own refusals as {code, message}
    if (path.startsWith('/socket.io')) expect(body.message).toBe('host_not_allowed');
    else expect(errorCode(body)).toBe('host_not_allowed');
    expect((await getJson(`${suite.server.url}/api/v1/feeds/rebind.a/points`)).status).toBe(404);
    expect(await metricValue(suite.server.url, 'pulseboard_refusals_total{code="host_not_allowed"}')).toBe(before + 1);
    await suite.bystander.stillServes();
  });

  it('refuses a WebSocket upgrade under a foreign host name', async () => {
    const answer = await upgrade(suite.server.url, '/socket.io/?EIO=4&transport=websocket', rebound());
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('host_not_allowed');
    await suite.bystander.stillServes();
  });

  it('answers loopback host names, IP addresses, listed names, and health probes under any name', async () => {
    for (const host of [
      'localhost',
      '127.0.0.1',
      '[::1]',
      'LocalHost',
      'dash.example.com',
      'DASH.example.com',
      '10.1.2.3',
      '[fd00::1]',
    ]) {
      const answer = await raw(suite.server.url, 'GET', '/api/v1/feeds', { host: `${host}:${port()}` });
      expect(answer.status, host).toBe(200);
    }
    expect((await raw(suite.server.url, 'GET', '/api/v1/feeds', { host: 'localhost' })).status).toBe(200);
    // names made to look like loopback or an address are still names
    for (const host of ['127.0.0.1.attacker.example', 'localhost.attacker.example', '0x7f000001', '[::1].example']) {
      const answer = await raw(suite.server.url, 'GET', '/api/v1/feeds', { host: `${host}:${port()}` });
      expect(answer.status, host).toBe(403);
    }
    expect((await raw(suite.server.url, 'GET', '/health/ready', rebound())).status).toBe(200);
    const socket = await upgrade(suite.server.url, '/socket.io/?EIO=4&transport=websocket', {
      host: `localhost:${port()}`,
    });
    expect(socket.status).toBe(101);
    await suite.bystander.stillServes();
  });
});

describe('host names with tokens', () => {
  let admin: string;
  const suite = hardenedSuite(startAuthServer, async () => {
    admin = await token({ role: 'admin', sub: 'bystander' });
    return { token: admin };
  });

  it('answers any host name: a rebound page has no token to send', async () => {
    const host = { host: `pulseboard.example.com:${new URL(suite.server.url).port}` };
    expect((await raw(suite.server.url, 'GET', '/api/v1/feeds', { ...host, ...bearer(admin) })).status).toBe(200);
    expect((await raw(suite.server.url, 'GET', '/api/v1/feeds', host)).status).toBe(401);
    await suite.bystander.stillServes();
  });
});
