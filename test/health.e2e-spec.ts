import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeedInfo, Point, PollResponse } from '@pulseboard/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from './support/control-client.js';
import { getJson, ingest, post } from './support/http.js';
import { metricValue, scrape } from './support/metrics.js';
import { pollUntil } from './support/polling.js';
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

describe('delivery metrics', () => {
  let server: TestServer;
  const closers: (() => void)[] = [];
  beforeAll(async () => {
    // a slow client is closed within a fraction of a second; a feed keeps 1,000 points, so a resume can outlive them
    server = await startServer({ SLOW_CLIENT_TIMEOUT_MS: '200', RETENTION_POINTS: '1000' });
  });
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });
  afterAll(async () => {
    await server.close();
  });
  const sse = async (path: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const client = await SseClient.open(`${server.url}${path}`, headers);
    closers.push(() => client.close());
    await client.until((c) => c.named('hello').length === 1);
    return client;
  };
  const bytes = (text: string): number => Buffer.byteLength(text);

  it('counts frames, bytes and points written to each transport', async () => {
    const before = await scrape(server.url);

    const stream = await sse('/api/v1/stream?feeds=w.sse');
    await ingest(server.url, [
      { feed: 'w.sse', v: 1 },
      { feed: 'w.sse', v: 2 },
    ]);
    await stream.untilPoints('w.sse', 2);
    await ingest(server.url, [{ feed: 'w.sse', v: 3 }]);
    await stream.untilPoints('w.sse', 3);
    const sseFrames = stream.named('points');
    expect(sseFrames).toHaveLength(2);

    const { body: start } = await getJson<PollResponse>(`${server.url}/api/v1/poll?feeds=w.poll`);
    const waiting = fetch(`${server.url}/api/v1/poll?feeds=w.poll&cursor=${start.cursor}`).then((r) => r.text());
    await ingest(server.url, [{ feed: 'w.poll', v: 4 }]);
    const pollBody = await waiting;
    expect((JSON.parse(pollBody) as PollResponse).feeds['w.poll'].v).toEqual([4]);

    const socket = await ControlClient.connect(server.url);
    closers.push(() => socket.close());
    expect(await socket.ack('subscribe', { feeds: ['w.io'] })).toMatchObject({ ok: true });
    await ingest(server.url, [{ feed: 'w.io', v: 5 }]);
    await socket.untilValues('w.io', 1);
    await ingest(server.url, [{ feed: 'w.io', v: 6 }]);
    await socket.untilValues('w.io', 2);
    const packets = socket.named('points');
    expect(packets).toHaveLength(2);

    const after = await scrape(server.url);
    const delta = (sample: string): number => after.value(sample) - before.value(sample);
    expect(delta('pulseboard_delivery_frames_total{transport="sse"}')).toBe(2);
    expect(delta('pulseboard_delivery_bytes_total{transport="sse"}')).toBe(
      sseFrames.reduce((sum, e) => sum + bytes(`id: ${e.id}\nevent: points\ndata: ${e.data}\n\n`), 0),
    );
    expect(delta('pulseboard_points_delivered_total{transport="sse"}')).toBe(3);
    expect(delta('pulseboard_delivery_frames_total{transport="poll"}')).toBe(1);
    expect(delta('pulseboard_delivery_bytes_total{transport="poll"}')).toBe(bytes(pollBody));
    expect(delta('pulseboard_points_delivered_total{transport="poll"}')).toBe(1);
    expect(delta('pulseboard_delivery_frames_total{transport="socketio"}')).toBe(2);
    // small packets go out uncompressed: a 2-byte WebSocket header, engine.io's `4`, then the Socket.IO packet
    expect(delta('pulseboard_delivery_bytes_total{transport="socketio"}')).toBe(
      packets.reduce((sum, p) => sum + 2 + bytes(`42["points",${JSON.stringify(p)}]`), 0),
    );
    expect(delta('pulseboard_points_delivered_total{transport="socketio"}')).toBe(2);
  });

  it('counts gap notices by reason: a cursor of another log, and one older than retention', async () => {
    const before = await scrape(server.url);
    const foreign = await sse('/api/v1/stream?feeds=g.e', { 'last-event-id': 'elsewhere-1' });
    await foreign.until((c) => c.named('gap').length === 1);

    const first = await sse('/api/v1/stream?feeds=g.r');
    await ingest(server.url, [{ feed: 'g.r', v: 0 }]);
    await first.untilPoints('g.r', 1);
    const cursor = first.lastId() ?? '';
    first.close();
    // 1,500 more points: the feed keeps the newest 1,000, so the cursor's successors are gone
    await ingest(
      server.url,
      Array.from({ length: 1500 }, (_, i) => ({ feed: 'g.r', v: i + 1 })),
    );
    const resumed = await sse('/api/v1/stream?feeds=g.r', { 'last-event-id': cursor });
    await resumed.until((c) => c.named('gap').length === 1);
    expect(JSON.parse(resumed.named('gap')[0].data)).toEqual({ feeds: ['g.r'], reason: 'retention' });

    const after = await scrape(server.url);
    const delta = (sample: string): number => after.value(sample) - before.value(sample);
    expect(delta('pulseboard_gaps_total{reason="epoch"}')).toBe(1);
    expect(delta('pulseboard_gaps_total{reason="retention"}')).toBe(1);
    expect(delta('pulseboard_gaps_total{reason="slow"}')).toBe(0);
  });

  it('counts a connection closed for not reading, by transport and reason', async () => {
    const closedSlow = 'pulseboard_connections_closed_total{transport="sse",reason="slow"}';
    const before = await metricValue(server.url, closedSlow);
    const stalled = await sse('/api/v1/stream?feeds=s.>');
    stalled.pause();
    // frames of 20 feeds × 1,000 points until the socket's buffers are full and it stays undrained
    const batch: Point[] = [];
    for (let i = 0; i < 20_000; i++) batch.push({ feed: `s.f${i % 20}`, v: i });
    const closed = await pollUntil(
      async () => {
        await ingest(server.url, batch);
        const now = await metricValue(server.url, closedSlow);
        return now > before ? now : undefined;
      },
      'the stalled stream to be closed',
      45_000,
    );
    expect(closed).toBe(before + 1);
    expect(await metricValue(server.url, 'pulseboard_connections{transport="sse"}')).toBe(0);
  }, 60_000);

  it('observes the time from a batch’s arrival to its first write', async () => {
    const before = await scrape(server.url);
    const live = await sse('/api/v1/stream?feeds=l.a');
    const other = await sse('/api/v1/stream?feeds=l.a');
    await ingest(server.url, [{ feed: 'l.a', v: 1 }]);
    await live.untilPoints('l.a', 1);
    await other.untilPoints('l.a', 1);
    const after = await scrape(server.url);
    const delta = (sample: string): number => after.value(sample) - before.value(sample);
    // one batch, however many clients it reached
    expect(delta('pulseboard_delivery_lag_seconds_count')).toBe(1);
    expect(delta('pulseboard_delivery_lag_seconds_bucket{le="5"}')).toBe(1);
    expect(delta('pulseboard_delivery_lag_seconds_sum')).toBeGreaterThanOrEqual(0);
    expect(delta('pulseboard_delivery_lag_seconds_sum')).toBeLessThan(5);
  });

  it('has a Grafana dashboard whose every query names a metric this server exposes', async () => {
    const dashboard = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'deploy', 'grafana', 'pulseboard.json'), 'utf8'),
    ) as GrafanaDashboard;
    expect(dashboard.__inputs).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' }),
    );
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(12);
    const used = new Set<string>();
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        const names = metricNames(target.expr);
        expect(names.length, target.expr).toBeGreaterThan(0);
        for (const name of names) used.add(name);
      }
    }
    for (const variable of dashboard.templating?.list ?? []) {
      const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      for (const match of query.matchAll(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/g)) used.add(match[1]);
    }

    const { families } = await scrape(server.url);
    const exposed = (name: string): boolean => {
      if (families.has(name)) return true;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return base !== name && ['histogram', 'summary'].includes(families.get(base) ?? '');
    };
    expect([...used].filter((name) => !exposed(name))).toEqual([]);
    // and every family of the server's own is on the dashboard
    const shown = new Set([...used].map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    expect([...families.keys()].filter((name) => name.startsWith('pulseboard_') && !shown.has(name))).toEqual([]);
  });
});

interface GrafanaDashboard {
  __inputs: { name: string; pluginId: string }[];
  panels: { type: string; title: string; datasource?: unknown; targets?: { expr: string }[] }[];
  templating?: { list: { query?: string | { query?: string } }[] };
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or variables. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\{?\w+\}?/g, '');
  const names: string[] = [];
  for (const [, name, call] of bare.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (call === undefined && !PROMQL_WORDS.has(name)) names.push(name);
  }
  return names;
}
