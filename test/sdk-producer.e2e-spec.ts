import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FeedChunk } from '@pulseboard/protocol';
import { PulseboardProducer, type ProducerRetryEvent, type RejectedBatchError } from '@pulseboard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson } from './support/http.js';
import { startServer, type TestServer } from './support/server.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function stored(url: string, feed: string): Promise<FeedChunk> {
  const res = await getJson<FeedChunk>(`${url}/api/v1/feeds/${feed}/points`);
  if (res.status !== 200) throw new Error(`reading ${feed} answered ${res.status}`);
  return res.body;
}

/**
 * A proxy in front of the real server that answers the first `failures`
 * ingest requests with 503 itself. The real server answers 503 only while it
 * shuts down or while its log is unavailable, and neither can be held steady
 * for the length of a test; everything after the failures reaches the real
 * server unchanged.
 */
async function failingProxy(
  target: string,
  failures: number,
): Promise<{ url: string; server: Server; failed: () => number }> {
  let failed = 0;
  const server = createServer((req, res) => {
    if (failed < failures) {
      failed++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'log_unavailable', message: 'the log is unavailable', details: [] } }));
      return;
    }
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, failed: () => failed };
}

describe('the SDK producer against the server', () => {
  const servers: TestServer[] = [];
  const proxies: Server[] = [];
  const server = async (env: Record<string, string> = {}): Promise<TestServer> => {
    const started = await startServer(env);
    servers.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(proxies.splice(0).map((p) => new Promise((resolve) => p.close(resolve))));
  });

  it('delivers pushed points, in order, where a reader finds them', async () => {
    const { url } = await server();
    const producer = new PulseboardProducer({ url, maxBatchPoints: 100 });
    const errors: RejectedBatchError[] = [];
    producer.on('error', (error) => errors.push(error));
    for (const v of range(1, 250)) producer.push('sdkp1.a', v, 1_000_000 + v);
    producer.pushMany([
      { feed: 'sdkp1.b', v: 1 },
      { feed: 'sdkp1.b', v: 2 },
    ]);
    await producer.close();
    expect(producer.stats).toEqual({ sent: 252, dropped: 0, rejected: 0, buffered: 0 });
    expect(errors).toEqual([]);
    const a = await stored(url, 'sdkp1.a');
    expect(a.v).toEqual(range(1, 250));
    expect(a.t).toEqual(range(1, 250).map((v) => 1_000_000 + v));
    expect((await stored(url, 'sdkp1.b')).v).toEqual([1, 2]);
    expect(() => producer.push('sdkp1.a', 251)).toThrow(/closed/);
  });

  it('waits out 429 answers for as long as Retry-After says, and stores every point once', async () => {
    const { url } = await server({ INGEST_RATE_LIMIT: '10', INGEST_RATE_BURST: '10' });
    const producer = new PulseboardProducer({ url, maxBatchPoints: 10 });
    const retries: ProducerRetryEvent[] = [];
    producer.on('retry', (event) => retries.push(event));
    const started = Date.now();
    for (const v of range(1, 30)) producer.push('sdkp2.a', v);
    await producer.flush();
    expect(retries.length).toBeGreaterThan(0);
    for (const retry of retries) {
      expect(retry.error).toMatchObject({ code: 'rate_limited', status: 429 });
      expect(retry.delayMs).toBeGreaterThanOrEqual(1000);
    }
    // 10 points a second with a burst of 10: the last batch cannot pass before 2 s
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect((await stored(url, 'sdkp2.a')).v).toEqual(range(1, 30));
    expect(producer.stats).toEqual({ sent: 30, dropped: 0, rejected: 0, buffered: 0 });
    await producer.close();
  });

  it('retries 503 answers until the server takes the batch', async () => {
    const { url } = await server();
    const proxy = await failingProxy(url, 2);
    proxies.push(proxy.server);
    const producer = new PulseboardProducer({ url: proxy.url, retry: { initialMs: 20, maxMs: 100 } });
    const retries: ProducerRetryEvent[] = [];
    producer.on('retry', (event) => retries.push(event));
    for (const v of range(1, 5)) producer.push('sdkp3.a', v);
    await producer.close();
    expect(proxy.failed()).toBe(2);
    expect(retries.map((r) => [r.attempt, r.error.status, r.error.code])).toEqual([
      [1, 503, 'log_unavailable'],
      [2, 503, 'log_unavailable'],
    ]);
    expect((await stored(url, 'sdkp3.a')).v).toEqual(range(1, 5));
    expect(producer.stats).toEqual({ sent: 5, dropped: 0, rejected: 0, buffered: 0 });
  });
});
