import type { GapEvent, HelloEvent } from '@pulseboard/protocol';
import {
  FetchSseConnector,
  PulseboardConsumer,
  defaultSseConnector,
  type ConsumerOptions,
  type PulseboardError,
  type ReconnectEvent,
  type StreamPoints,
} from '@pulseboard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from './support/http.js';
import { ServerProcess } from './support/server-process.js';
import { freePort } from './support/ports.js';
import { Waiters } from './support/waiters.js';
import { startServer, type TestServer } from './support/server.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const points = (feed: string, vs: number[]) => vs.map((v) => ({ feed, v }));

/** Records everything a consumer emits and resolves waiters as events arrive (tests wait, never sleep). */
class Recorder {
  readonly hellos: HelloEvent[] = [];
  readonly points: StreamPoints[] = [];
  readonly gaps: GapEvent[] = [];
  readonly errors: PulseboardError[] = [];
  readonly reconnects: ReconnectEvent[] = [];
  /** Which event came when. */
  readonly timeline: string[] = [];
  private readonly waiters = new Waiters();

  constructor(readonly consumer: PulseboardConsumer) {
    consumer.on('hello', (e) => this.record(this.hellos, e));
    consumer.on('points', (e) => this.record(this.points, e));
    consumer.on('gap', (e) => this.record(this.gaps, e));
    consumer.on('error', (e) => this.record(this.errors, e));
    consumer.on('reconnect', (e) => this.record(this.reconnects, e));
    consumer.on('state', () => this.notify());
  }

  /** Every value received for a feed, in order. */
  values(feed: string): number[] {
    return this.points.flatMap((e) => e.feeds[feed]?.v ?? []);
  }

  until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const seen = (): string => `state ${this.consumer.state}, errors ${this.errors.map((e) => e.code).join(',')}`;
    return this.waiters.until(condition, () => `${what} (${seen()})`, timeoutMs);
  }

  untilValues(feed: string, count: number, timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.values(feed).length >= count, `${count} values of ${feed}`, timeoutMs);
  }

  untilState(state: PulseboardConsumer['state'], timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.consumer.state === state, `state ${state}`, timeoutMs);
  }

  private record<T>(list: T[], event: T): void {
    list.push(event);
    if (list === this.gaps) this.timeline.push('gap');
    else if (list === this.points) this.timeline.push('points');
    this.notify();
  }

  private notify(): void {
    this.waiters.notify();
  }
}

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
