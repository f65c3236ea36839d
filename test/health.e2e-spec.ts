import type { FeedInfo } from '@pulseboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from './support/control-client.js';
import { getJson, ingest, post } from './support/http.js';
import { metricValue } from './support/metrics.js';
import { startServer, type TestServer } from './support/server.js';
import { SseClient } from './support/sse-client.js';

describe('health and metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers live and ready', async () => {
    expect((await getJson(`${server.url}/health/live`)).body).toEqual({ status: 'ok' });
    const ready = await getJson(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { log: true, delivery: true, ingest: true } });
  });

  it('exposes Prometheus metrics that follow what happens', async () => {
    const client = await SseClient.open(`${server.url}/api/v1/stream?feeds=m.a`);
    await client.until((c) => c.events.length >= 1);
    await ingest(server.url, [
      { feed: 'm.a', v: 1 },
      { feed: 'm.a', v: 2 },
    ]);
    await client.untilPoints('m.a', 2);
    const res = await fetch(`${server.url}/metrics`);
    const text = await res.text();
    client.close();
    expect(res.headers.get('content-type')).toContain('text/plain');
    const metric = (name: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
      if (line === undefined) throw new Error(`no metric ${name}`);
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    expect(metric('pulseboard_connections{transport="sse"}')).toBe(1);
    expect(metric('pulseboard_points_ingested_total')).toBe(2);
    expect(metric('pulseboard_points_delivered_total{transport="sse"}')).toBe(2);
    expect(metric('pulseboard_retained_points')).toBe(2);
    expect(metric('pulseboard_retained_bytes')).toBeGreaterThan(0);
    expect(metric('pulseboard_feeds')).toBe(1);
    expect(metric('pulseboard_tick_duration_seconds_count')).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('counts refusals by their error code, over HTTP, before routing and on the socket', async () => {
    const refused = (code: string): Promise<number> =>
      metricValue(server.url, `pulseboard_refusals_total{code="${code}"}`);
    const before = {
      points: await refused('invalid_points'),
      origin: await refused('origin_not_allowed'),
      message: await refused('invalid_message'),
    };
    expect((await post(server.url, '{"points":[{"feed":"m.b","v":"x"}]}', 'application/json')).status).toBe(400);
    expect((await post(server.url, '{"points":[{"feed":"m.b","v":"y"}]}', 'application/json')).status).toBe(400);
    const foreign = await fetch(`${server.url}/api/v1/feeds`, { headers: { origin: 'https://elsewhere.example' } });
    expect(foreign.status).toBe(403);
    const socket = await ControlClient.connect(server.url);
    try {
      expect(await socket.ack('subscribe', { feeds: 'm.a' })).toMatchObject({ error: { code: 'invalid_message' } });
    } finally {
      socket.close();
    }
    expect(await refused('invalid_points')).toBe(before.points + 2);
    expect(await refused('origin_not_allowed')).toBe(before.origin + 1);
    expect(await refused('invalid_message')).toBe(before.message + 1);
  });
});

describe('built-in feed sources', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ DEMO: '1', DEMO_RATE: '20', SELF_METRICS: '1', SELF_METRICS_INTERVAL_MS: '100' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('streams the demo feeds and the server’s own metrics like any other feed', async () => {
    const client = await SseClient.open(`${server.url}/api/v1/stream?feeds=demo.>,pulseboard.>`);
    await client.untilPoints('demo.sine', 5);
    await client.untilPoints('pulseboard.eventloop.lag_ms', 2);
    const { body } = await getJson<FeedInfo[]>(`${server.url}/api/v1/feeds?match=demo.>`);
    expect(body.map((f) => f.name)).toEqual([
      'demo.cpu.system',
      'demo.cpu.user',
      'demo.latency_ms',
      'demo.random_walk',
      'demo.requests_per_s',
      'demo.sine',
    ]);
    for (const v of client.points('demo.latency_ms').v) expect(v).toBeGreaterThan(0);
    const own = await getJson<FeedInfo[]>(`${server.url}/api/v1/feeds?match=pulseboard.>`);
    expect(own.body.map((f) => f.name)).toContain('pulseboard.connections.sse');
    // the stream is still open, so the latest sample counts it
    await client.untilPoints('pulseboard.connections.sse', 1);
    expect(own.body.find((f) => f.name === 'pulseboard.connections.sse')?.last?.v).toBe(1);
    client.close();
  });
});
