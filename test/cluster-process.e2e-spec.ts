import { PulseboardConsumer, PulseboardProducer } from '@pulseboard/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from './support/consumer-recorder.js';
import { NginxProcess, nginxAvailable } from './support/nginx.js';
import { freePort } from './support/ports.js';
import { pollUntil } from './support/polling.js';
import { RedisServer, redisServerAvailable } from './support/redis.js';
import { ServerProcess } from './support/server-process.js';
import { SseClient } from './support/sse-client.js';

/** Four feeds of four sources: on a split log they fall in several partitions. */
const FEEDS = ['failoverA.v', 'failoverB.v', 'failoverC.v', 'failoverD.v'];
const FEED = FEEDS[0];
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const LAYOUTS = [
  { layout: 'one Redis stream', partitions: 1 },
  { layout: 'a log split into four partitions over two Redis servers', partitions: 4 },
];

/**
 * The deployment topology with processes: Redis, two instances and nginx in
 * front of them with the repository's proxy configuration.
 */
describe.runIf(redisServerAvailable() && nginxAvailable()).each(LAYOUTS)(
  'two instances behind nginx, $layout',
  ({ partitions }) => {
    let redis: RedisServer;
    /** With a split log: the second server, holding partitions 1 and 3. */
    let second: RedisServer | undefined;
    let a: ServerProcess;
    let b: ServerProcess;
    let nginx: NginxProcess;
    const ports = { a: 0, b: 0 };
    const instance = (port: number) =>
      ServerProcess.start({
        REDIS_URL: redis.url,
        PORT: String(port),
        SHUTDOWN_TIMEOUT_MS: '3000',
        ...(second === undefined
          ? {}
          : { REDIS_PARTITIONS: String(partitions), REDIS_PARTITION_URLS: `${redis.url},${second.url}` }),
      });

    beforeAll(async () => {
      redis = await RedisServer.start();
      if (partitions > 1) second = await RedisServer.start();
      ports.a = await freePort();
      ports.b = await freePort();
      [a, b] = await Promise.all([instance(ports.a), instance(ports.b)]);
      nginx = await NginxProcess.start({ a: `127.0.0.1:${ports.a}`, b: `127.0.0.1:${ports.b}` });
    });
    afterAll(async () => {
      await nginx?.stop();
      await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
      await Promise.all([redis?.destroy(), second?.destroy()]);
    });

    it('keeps every client whole when one instance is killed: they resume on the other with no gap and no duplicate', async () => {
      // nginx alternates new requests between the instances: of two consumers, one streams from each
      const consumers = [0, 1].map(
        () =>
          new Recorder(
            new PulseboardConsumer({ url: nginx.url, feeds: FEEDS, backoff: { initialMs: 50, maxMs: 500 } }),
          ),
      );
      const producer = new PulseboardProducer({
        url: nginx.url,
        flushIntervalMs: 20,
        retry: { initialMs: 50, maxMs: 500 },
      });
      try {
        for (const recorder of consumers) recorder.consumer.connect();
        await Promise.all(consumers.map((recorder) => recorder.untilState('connected')));

        let sent = 0;
        const send = (count: number) => {
          for (let i = 0; i < count; i++, sent++) for (const feed of FEEDS) producer.push(feed, sent);
          return producer.flush();
        };
        for (let round = 0; round < 10; round++) await send(10);
        await Promise.all(consumers.flatMap((recorder) => FEEDS.map((feed) => recorder.untilValues(feed, 100))));

        await a.stop('SIGKILL');
        for (let round = 0; round < 20; round++) await send(10);
        await Promise.all(
          consumers.flatMap((recorder) => FEEDS.map((feed) => recorder.untilValues(feed, 300, 30_000))),
        );

        for (const recorder of consumers) {
          for (const feed of FEEDS) expect(recorder.values(feed)).toEqual(range(0, 299));
          expect(recorder.gaps).toEqual([]);
        }
        // the consumer that was on the killed instance came back through nginx
        expect(consumers.some((recorder) => recorder.hellos.length >= 2)).toBe(true);
      } finally {
        for (const recorder of consumers) recorder.consumer.close();
        await producer.close({ timeoutMs: 1000 });
      }
    }, 60_000);

    it('serves resume on an instance that comes back, for cursors issued while it was down', async () => {
      // the previous test left A down; B issued cursors meanwhile
      const onB = await SseClient.open(`${b.url}/api/v1/stream?feeds=${FEED}`);
      try {
        const before = await fetch(`${b.url}/api/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ points: [{ feed: FEED, v: 1000 }] }),
        });
        expect(before.status).toBe(202);
        await onB.untilPoints(FEED, 1);
        const cursor = onB.lastId();
        expect(cursor).toBeDefined();

        a = await instance(ports.a);
        const after = await fetch(`${b.url}/api/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            points: [
              { feed: FEED, v: 1001 },
              { feed: FEED, v: 1002 },
            ],
          }),
        });
        expect(after.status).toBe(202);
        const resumed = await SseClient.open(`${a.url}/api/v1/stream?feeds=${FEED}`, { 'last-event-id': cursor ?? '' });
        try {
          await resumed.untilPoints(FEED, 2);
          expect(resumed.points(FEED).v).toEqual([1001, 1002]);
          expect(resumed.named('gap')).toEqual([]);
        } finally {
          resumed.close();
        }
      } finally {
        onB.close();
      }
    });

    it('answers 503 and reports unready while Redis is down, keeps streaming what it retains, and carries on once Redis is back', async () => {
      const stream = await SseClient.open(`${nginx.url}/api/v1/stream?feeds=outage.v&history=600000`);
      const ingest = (v: number) =>
        fetch(`${nginx.url}/api/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ points: [{ feed: 'outage.v', v }] }),
        });
      try {
        expect((await ingest(1)).status).toBe(202);
        await stream.untilPoints('outage.v', 1);

        // with a split log, the server of partitions 1 and 3: one server of several away is enough to refuse
        const away = second ?? redis;
        await away.stop();
        await untilStatus(`${a.url}/health/ready`, 503);
        await untilStatus(`${b.url}/health/ready`, 503);
        const refused = await ingest(2);
        expect(refused.status).toBe(503);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('log_unavailable');
        // what is retained is still served, on both instances
        for (const url of [a.url, b.url]) {
          const retained = (await (await fetch(`${url}/api/v1/feeds/outage.v/points`)).json()) as { v: number[] };
          expect(retained.v).toEqual([1]);
        }

        await away.restart();
        await untilStatus(`${a.url}/health/ready`, 200);
        await untilStatus(`${b.url}/health/ready`, 200);
        expect((await ingest(3)).status).toBe(202);
        await stream.untilPoints('outage.v', 2, 20_000);
        expect(stream.points('outage.v').v).toEqual([1, 3]);
        expect(stream.named('gap')).toEqual([]);
      } finally {
        stream.close();
      }
    }, 60_000);
  },
);

/** Resolves once `url` answers `status`, asking again after each answer. */
async function untilStatus(url: string, status: number): Promise<void> {
  await pollUntil(async () => (await fetch(url)).status === status, `${url} to answer ${status}`);
}
