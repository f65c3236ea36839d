import { ControlCluster } from '@pulseboard/gateway';
import type { ErrorBody, PresenceEvent } from '@pulseboard/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from './support/control-client.js';
import { errorCode, getJson, ingest, post } from './support/http.js';
import { RedisServer, redisServerAvailable } from './support/redis.js';
import { startServer, type TestServer } from './support/server.js';
import { SseClient, type PointsData } from './support/sse-client.js';
import { pollUntil } from './support/polling.js';

const points = (feed: string, values: number[]) => values.map((v) => ({ feed, v }));

describe.runIf(redisServerAvailable())('two instances sharing a Redis stream', () => {
  let redis: RedisServer;
  let a: TestServer;
  let b: TestServer;
  const streams: SseClient[] = [];
  const sockets: ControlClient[] = [];
  let key = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  const startPair = async (extra: Record<string, string> = {}): Promise<void> => {
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: `cluster${++key}`, ...extra };
    a = await startServer({ ...env, INSTANCE_NAME: 'a' });
    b = await startServer({ ...env, INSTANCE_NAME: 'b' });
  };
  /** Both instances have found each other (their control adapters exchange heartbeats at start). */
  const untilAcquainted = async (): Promise<void> => {
    await pollUntil(
      async () =>
        (await a.app.get(ControlCluster).instances()) >= 2 && (await b.app.get(ControlCluster).instances()) >= 2,
      'both instances to know each other',
    );
  };
  const connect = async (server: TestServer, name: string): Promise<ControlClient> => {
    const client = await ControlClient.connect(server.url, { auth: { name } });
    sockets.push(client);
    return client;
  };
  /** Saves an empty dashboard under `id` (annotations need a saved dashboard). */
  const saveDashboard = async (server: TestServer, id: string): Promise<void> => {
    const saved = await fetch(`${server.url}/api/v1/dashboards/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: id, window: '15m', panels: [] }),
    });
    expect(saved.status).toBe(201);
  };
  const names = (presence: PresenceEvent | undefined) => presence?.viewers.map((viewer) => viewer.name).sort();
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    for (const stream of streams.splice(0)) stream.close();
    await Promise.all([a?.close(), b?.close()]);
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  const open = async (url: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const stream = await SseClient.open(url, headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  };

  it('streams on one instance what was ingested on the other, and resumes there with a cursor from the first', async () => {
    await startPair();
    const onB = await open(`${b.url}/api/v1/stream?feeds=c.>`);
    const onA = await open(`${a.url}/api/v1/stream?feeds=c.>`);
    await ingest(a.url, points('c.v', [1, 2, 3]));
    // 4 and 5 come in a later frame than 1-3, so that a cursor lies between them
    await onA.untilPoints('c.v', 3);
    await ingest(b.url, points('c.v', [4, 5]));
    await Promise.all([onA.untilPoints('c.v', 5), onB.untilPoints('c.v', 5)]);
    expect(onB.points('c.v').v).toEqual([1, 2, 3, 4, 5]);
    expect(onA.points('c.v').v).toEqual([1, 2, 3, 4, 5]);

    // a cursor issued by A after 1-3 resumes on B with exactly 4 and 5
    const cursorAfterThree = onA
      .named('points')
      .find((event) => (JSON.parse(event.data) as PointsData).feeds['c.v']?.v.includes(3))?.id;
    expect(cursorAfterThree).toBeDefined();
    const resumed = await open(`${b.url}/api/v1/stream?feeds=c.>`, { 'last-event-id': cursorAfterThree ?? '' });
    await resumed.untilPoints('c.v', 2);
    expect(resumed.points('c.v').v).toEqual([4, 5]);
    expect(resumed.named('gap')).toEqual([]);

    const feeds = await getJson<{ name: string; retained: number }[]>(`${b.url}/api/v1/feeds?match=c.>`);
    expect(feeds.body).toMatchObject([{ name: 'c.v', retained: 5 }]);
  });

  it('streams a Telegraf line with 8 tags under one series key, and resumes it on the other instance exactly', async () => {
    await startPair();
    const tags =
      'host=web1.example.com,dc=fra1,region=eu-central,env=prod,service=checkout,team=payments,os=linux,arch=amd64';
    const key =
      'tg.usage{arch="amd64",dc="fra1",env="prod",host="web1.example.com",os="linux",region="eu-central",service="checkout",team="payments"}';
    const line = (v: number) => `tg,${tags} usage=${v}`;
    const selector = encodeURIComponent('tg.usage{host="web1.example.com",env!="test"}');
    const onA = await open(`${a.url}/api/v1/stream?feeds=${selector}`);
    expect((await post(a.url, [1, 2, 3].map(line).join('\n'), 'text/plain')).status).toBe(202);
    await onA.untilPoints(key, 3);
    expect(Object.keys((JSON.parse(onA.named('points')[0].data) as PointsData).feeds)).toEqual([key]);
    const cursor = onA.lastId();
    expect((await post(b.url, [4, 5].map(line).join('\n'), 'text/plain')).status).toBe(202);
    await onA.untilPoints(key, 5);

    const resumed = await open(`${b.url}/api/v1/stream?feeds=${selector}`, { 'last-event-id': cursor ?? '' });
    await resumed.untilPoints(key, 2);
    expect(resumed.points(key).v).toEqual([4, 5]);
    expect(resumed.named('gap')).toEqual([]);
    expect(onA.points(key).v).toEqual([1, 2, 3, 4, 5]);
  });

  it('starts a new instance with the retained history of the stream', async () => {
    await startPair();
    await ingest(a.url, points('warm.v', [10, 20, 30]));
    const onA = await open(`${a.url}/api/v1/stream?feeds=warm.v`);
    await ingest(a.url, points('warm.v', [40]));
    await onA.untilPoints('warm.v', 1);

    const late = await startServer({ REDIS_URL: redis.url, REDIS_PREFIX: `cluster${key}` });
    try {
      const history = await getJson<{ t: number[]; v: number[] }>(`${late.url}/api/v1/feeds/warm.v/points`);
      expect(history.body.v).toEqual([10, 20, 30, 40]);
    } finally {
      await late.close();
    }
  });

  it('answers 503 and turns unready while Redis is away, keeps serving retained data, and recovers', async () => {
    await startPair();
    const onB = await open(`${b.url}/api/v1/stream?feeds=away.v&history=60000`);
    await ingest(a.url, points('away.v', [1]));
    await onB.untilPoints('away.v', 1);

    await redis.stop();
    await pollUntil(async () => (await fetch(`${a.url}/health/ready`)).status === 503, 'a to report itself not ready');
    const refused = await post(a.url, JSON.stringify({ points: points('away.v', [2]) }), 'application/json');
    expect([refused.status, errorCode(refused.body)]).toEqual([503, 'log_unavailable']);
    expect(refused.headers.get('retry-after')).toBe('1');
    const retained = await getJson<{ v: number[] }>(`${b.url}/api/v1/feeds/away.v/points`);
    expect(retained.body.v).toEqual([1]);
    // dashboards and annotations live in the same Redis: their requests are refused with a code, at once
    const dashboards = await getJson(`${a.url}/api/v1/dashboards`);
    expect([dashboards.status, errorCode(dashboards.body)]).toEqual([503, 'store_unavailable']);
    expect(dashboards.headers.get('retry-after')).toBe('1');
    // in the product's words: nothing of Redis's own reason (addresses, client internals)
    expect((dashboards.body as ErrorBody).error.message).toBe(
      'dashboards and annotations cannot be reached right now; retry shortly',
    );
    const socket = await connect(b, 'Ada');
    const note = await socket.ack('annotate', { dashboard: 'ops', t: 1000, text: 'during the outage' });
    expect(note).toMatchObject({ ok: false, error: { code: 'store_unavailable' } });

    await redis.restart();
    await pollUntil(async () => (await fetch(`${a.url}/health/ready`)).status === 200, 'a to report itself ready');
    await ingest(a.url, points('away.v', [3]));
    await pollUntil(
      async () => (await getJson(`${a.url}/api/v1/dashboards`)).status === 200,
      'the dashboards store back',
    );
    await onB.untilPoints('away.v', 2, 20_000);
    expect(onB.points('away.v').v).toEqual([1, 3]);
    expect(onB.named('gap')).toEqual([]);
  });

  it('shows presence and annotations across instances', async () => {
    await startPair();
    await untilAcquainted();
    await saveDashboard(a, 'ops');
    const ada = await connect(a, 'Ada');
    const bob = await connect(b, 'Bob');
    await ada.ack('join', { dashboard: 'ops' });
    const joined = await bob.ack('join', { dashboard: 'ops' });
    expect(names(joined as unknown as PresenceEvent)).toEqual(['Ada', 'Bob']);
    expect(joined.count).toBe(2);
    await ada.until((c) => names(c.named('presence').at(-1))?.length === 2, 'presence of both');
    expect(names(ada.named('presence').at(-1))).toEqual(['Ada', 'Bob']);

    const note = await ada.ack('annotate', { dashboard: 'ops', t: 1000, text: 'deploy on A' });
    await bob.until((c) => c.named('annotation').length === 1, 'the annotation');
    expect(bob.named('annotation')[0]).toMatchObject({ id: note.id, text: 'deploy on A', author: 'Ada' });

    bob.close();
    await ada.until((c) => names(c.named('presence').at(-1))?.length === 1, 'Bob gone');
    expect(names(ada.named('presence').at(-1))).toEqual(['Ada']);
    expect(ada.named('presence').at(-1)?.count).toBe(1);
  });

  it('lets a socket on one instance steer the stream its client holds on the other', async () => {
    await startPair();
    await untilAcquainted();
    const stream = await open(`${a.url}/api/v1/stream?feeds=steer.a`);
    await stream.until((s) => s.named('hello').length === 1, 10_000, 'hello');
    const session = (JSON.parse(stream.named('hello')[0].data) as { session: string }).session;
    const socket = await connect(b, 'Cy');

    const added = await socket.ack('subscribe', { feeds: ['steer.b'], session });
    expect(added).toEqual({ ok: true, feeds: ['steer.a', 'steer.b'] });
    await ingest(b.url, points('steer.b', [7]));
    await stream.untilPoints('steer.b', 1);

    const removed = await socket.ack('unsubscribe', { feeds: ['steer.a'], session });
    expect(removed).toEqual({ ok: true, feeds: ['steer.b'] });
    const unknown = await socket.ack('subscribe', { feeds: ['steer.c'], session: 'no-such-session' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'session_not_found' } });
  });

  it('shares saved dashboards and annotations between instances', async () => {
    await startPair();
    const document = { title: 'Shared', window: '15m', panels: [] };
    const saved = await getJson<{ id: string; title: string }>(`${a.url}/api/v1/dashboards/team`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(document),
    });
    expect(saved.status).toBe(201);
    expect((await getJson<{ title: string }>(`${b.url}/api/v1/dashboards/team`)).body.title).toBe('Shared');
    expect((await getJson<{ id: string }[]>(`${b.url}/api/v1/dashboards`)).body.map((d) => d.id)).toEqual(['team']);

    const ada = await connect(a, 'Ada');
    const first = await ada.ack('annotate', { dashboard: 'team', t: 2000, text: 'second by time' });
    const second = await ada.ack('annotate', { dashboard: 'team', t: 1000, text: 'first by time' });
    const listed = await getJson<{ id: string; text: string }[]>(`${b.url}/api/v1/dashboards/team/annotations`);
    expect(listed.body.map((note) => note.text)).toEqual(['first by time', 'second by time']);
    const window = await getJson<{ id: string }[]>(`${b.url}/api/v1/dashboards/team/annotations?from=1500&to=2500`);
    expect(window.body.map((note) => note.id)).toEqual([first.id]);

    expect(
      (await fetch(`${b.url}/api/v1/dashboards/team/annotations/${String(second.id)}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await getJson<unknown[]>(`${a.url}/api/v1/dashboards/team/annotations`)).body).toHaveLength(1);
    expect((await fetch(`${b.url}/api/v1/dashboards/team`, { method: 'DELETE' })).status).toBe(204);
    expect((await getJson(`${a.url}/api/v1/dashboards/team`)).status).toBe(404);
    expect((await getJson<unknown[]>(`${a.url}/api/v1/dashboards/team/annotations`)).body).toEqual([]);
  });

  it('keeps each instance’s own metrics under its name in the shared log', async () => {
    await startPair({ SELF_METRICS: '1', SELF_METRICS_INTERVAL_MS: '100' });
    const names = async () =>
      (await getJson<{ name: string }[]>(`${a.url}/api/v1/feeds?match=pulseboard.*.connections.sse`)).body.map(
        (feed) => feed.name,
      );
    await pollUntil(async () => (await names()).length === 2, 'both instances’ metrics');
    expect(await names()).toEqual(['pulseboard.a.connections.sse', 'pulseboard.b.connections.sse']);
  });
});
