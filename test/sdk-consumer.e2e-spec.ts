import { FetchSseConnector, PulseboardConsumer, defaultSseConnector, type ConsumerOptions } from '@pulseboard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from './support/http.js';
import { ServerProcess } from './support/server-process.js';
import { freePort } from './support/ports.js';
import { Recorder } from './support/consumer-recorder.js';
import { startServer, type TestServer } from './support/server.js';
import { streamThroughTokenExpiries } from './support/token-refresh.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const points = (feed: string, vs: number[]) => vs.map((v) => ({ feed, v }));

describe('the SDK consumer against the server', () => {
  const consumers: PulseboardConsumer[] = [];
  const servers: TestServer[] = [];
  const processes: ServerProcess[] = [];
  const consume = (options: ConsumerOptions): Recorder => {
    const consumer = new PulseboardConsumer(options);
    consumers.push(consumer);
    return new Recorder(consumer);
  };
  const server = async (env: Record<string, string> = {}): Promise<TestServer> => {
    const started = await startServer(env);
    servers.push(started);
    return started;
  };
  afterEach(async () => {
    for (const consumer of consumers.splice(0)) consumer.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
  });

  it('streams ingested points in order over fetch in Node', async () => {
    expect(defaultSseConnector()).toBeInstanceOf(FetchSseConnector);
    const { url } = await server();
    const recorder = consume({ url, feeds: ['sdk1.>'] });
    recorder.consumer.connect();
    await recorder.untilState('connected');
    expect(recorder.hellos).toHaveLength(1);
    for (let batch = 0; batch < 5; batch++) await ingest(url, points('sdk1.a', range(batch * 40 + 1, batch * 40 + 40)));
    await ingest(url, points('sdk1.other', [7]));
    await recorder.untilValues('sdk1.a', 200);
    await recorder.untilValues('sdk1.other', 1);
    expect(recorder.values('sdk1.a')).toEqual(range(1, 200));
    expect(recorder.consumer.cursor).toBe(recorder.points.at(-1)?.cursor);
    expect(recorder.errors).toEqual([]);
  });

  it('draws history first, then goes live', async () => {
    const { url } = await server();
    const now = Date.now();
    await ingest(url, [
      { feed: 'sdk2.h', t: now - 120_000, v: 1 },
      { feed: 'sdk2.h', t: now - 1000, v: 2 },
    ]);
    const recorder = consume({ url, feeds: ['sdk2.h'], history: 60_000 });
    recorder.consumer.connect();
    await recorder.untilValues('sdk2.h', 1);
    await ingest(url, points('sdk2.h', [3]));
    await recorder.untilValues('sdk2.h', 2);
    expect(recorder.values('sdk2.h')).toEqual([2, 3]);
  });

  it('stops instead of retrying when the server refuses the request itself', async () => {
    const { url } = await server();
    const recorder = consume({ url, feeds: ['sdk3.a'], maxRate: 0, backoff: { initialMs: 50 } });
    recorder.consumer.connect();
    await recorder.until(() => recorder.errors.length > 0, 'the refusal');
    expect(recorder.errors[0]).toMatchObject({ code: 'invalid_query', status: 400 });
    expect(recorder.consumer.state).toBe('disconnected');
    expect(recorder.reconnects).toEqual([]);
  });

  it('resumes across a server restart with no gap and no duplicate', async () => {
    const port = String(await freePort());
    const first = await ServerProcess.start({ PORT: port });
    processes.push(first);
    const recorder = consume({ url: first.url, feeds: ['restart.v'], backoff: { initialMs: 50, maxMs: 400 } });
    recorder.consumer.connect();
    await recorder.untilState('connected');
    for (let batch = 0; batch < 4; batch++)
      await ingest(first.url, points('restart.v', range(batch * 25 + 1, batch * 25 + 25)));
    await recorder.untilValues('restart.v', 100);

    await first.stop('SIGTERM');
    await recorder.until(() => recorder.consumer.state !== 'connected', 'the stream to end');
    const second = await ServerProcess.start({ PORT: port });
    processes.push(second);
    expect(second.url).toBe(first.url);
    for (let batch = 4; batch < 8; batch++)
      await ingest(second.url, points('restart.v', range(batch * 25 + 1, batch * 25 + 25)));
    await recorder.untilValues('restart.v', 200, 20_000);
    await recorder.untilState('connected');

    expect(recorder.values('restart.v')).toEqual(range(1, 200));
    expect(recorder.reconnects.length).toBeGreaterThan(0);
    expect(recorder.hellos.length).toBeGreaterThanOrEqual(2);
    // the restarted embedded log is a new epoch: continuity is announced lost, then everything it holds is sent
    expect(recorder.gaps).toEqual([{ feeds: ['restart.v'], reason: 'epoch' }]);
    const pointsBeforeGap = recorder.timeline.indexOf('gap');
    expect(recorder.points.slice(0, pointsBeforeGap).flatMap((e) => e.feeds['restart.v']?.v ?? [])).toEqual(
      range(1, 100),
    );
  });

  it('consumer.subscribe() adds a feed to the live stream without reconnecting', async () => {
    const { url } = await server();
    const recorder = consume({ url, feeds: ['sdk4.a'], ackTimeoutMs: 3000 });
    recorder.consumer.connect();
    await recorder.untilState('connected');
    const feeds = await recorder.consumer.subscribe(['sdk4.b']);
    expect([...feeds].sort()).toEqual(['sdk4.a', 'sdk4.b']);
    await ingest(url, [...points('sdk4.a', [1]), ...points('sdk4.b', [2])]);
    await recorder.untilValues('sdk4.b', 1);
    await recorder.untilValues('sdk4.a', 1);
    expect(await recorder.consumer.unsubscribe(['sdk4.a'])).toEqual(['sdk4.b']);
    await ingest(url, [...points('sdk4.a', [3]), ...points('sdk4.b', [4])]);
    await recorder.untilValues('sdk4.b', 2);
    expect(recorder.values('sdk4.a')).toEqual([1]);
    expect(recorder.hellos).toHaveLength(1);
    expect(recorder.reconnects).toEqual([]);
    expect(recorder.errors).toEqual([]);
  });
});

describe('the SDK with short-lived tokens', () => {
  it('renews expiring tokens of the stream, the control socket and the producer with no gap and no duplicate', async () => {
    const outcome = await streamThroughTokenExpiries(8000, 3);
    expect(outcome.sent).toBeGreaterThan(100);
    expect(outcome.values).toEqual(range(0, outcome.sent - 1));
    expect(outcome.gaps).toEqual([]);
    // a 3-second token (whole-second expiry) lasts 2–3 s: over 8 s the stream and the socket each renew at least twice
    expect(outcome.expiries).toBeGreaterThanOrEqual(4);
    expect(outcome.feedsAfter).toEqual(['renew.v', 'renew.w', 'renew.x']);
    expect(outcome.addedFeedValues).toEqual([42]);
  }, 60_000);
});
