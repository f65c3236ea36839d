import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { constants, createGzip, gzipSync } from 'node:zlib';
import type { ErrorBody } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { errorCode } from './support/http.js';
import { hardenedSuite } from './support/hardened-suite.js';
import { metricValue } from './support/metrics.js';
import { startServer } from './support/server.js';

// the test's own collector, so that "memory came back" is measured after a full collection, not whenever V8 got to it
setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
/** What a bomb inflates to: just under the default `MAX_BODY_BYTES` (10 MB). */
const BOMB_BYTES = 9.5 * MB;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** An ingest body whose one point carries `padBytes` of padding inside a JSON string. */
const paddedBody = (feed: string, padBytes: number): { head: string; tail: string } => ({
  head: `{"points":[{"feed":"${feed}","v":1}],"pad":"${' '.repeat(padBytes)}`,
  tail: '"}',
});

/** A whole gzip bomb: a few KB that inflate to `padBytes` and more. */
function gzipBomb(feed: string, padBytes: number): Buffer {
  const { head, tail } = paddedBody(feed, padBytes);
  return gzipSync(head + tail, { level: 9 });
}

/**
 * A gzip body cut in two: `head` (flushed, so the server can inflate all of
 * it at once) holds the padding, `tail` closes the JSON and the gzip stream.
 */
async function splitGzipBomb(feed: string, padBytes: number): Promise<{ head: Buffer; tail: Buffer }> {
  const { head, tail } = paddedBody(feed, padBytes);
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  gzip.write(head);
  await new Promise<void>((resolve) => gzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
  const first = Buffer.concat(out.splice(0));
  await new Promise<void>((resolve) => gzip.end(tail, () => resolve()));
  await new Promise<void>((resolve) => (gzip.readableEnded ? resolve() : gzip.once('end', () => resolve())));
  return { head: first, tail: Buffer.concat(out) };
}

/**
 * A gzip ingest request from `localAddress` that sends `head` at once and the
 * rest only when told: the server holds what it inflated until then.
 */
function heldIngest(url: string, head: Buffer, localAddress: string) {
  let answered: (answer: Answer) => void = () => undefined;
  const answer = new Promise<Answer>((resolve) => (answered = resolve));
  const req = request(
    `${url}/api/v1/ingest`,
    {
      method: 'POST',
      localAddress,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => answered({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
    },
  );
  // a refused request is closed by the server; what the client still writes may then fail
  req.on('error', () => undefined);
  req.write(head);
  return {
    answer,
    finish: (tail: Buffer): Promise<Answer> => {
      req.end(tail);
      return answer;
    },
    abort: () => req.destroy(),
  };
}

/** A whole gzip ingest from `localAddress`. */
function gzipIngest(url: string, body: Buffer, localAddress = '127.0.0.1'): Promise<Answer> {
  const held = heldIngest(url, body, localAddress);
  return held.finish(Buffer.alloc(0));
}

/** Resident memory (RSS) of this process — the server runs in it — sampled every few ms until stopped. */
function sampleMemory(): { peak: () => number; stop: () => void } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  return { peak: () => Math.max(peak, process.memoryUsage.rss()), stop: () => clearInterval(timer) };
}

/** Heap and Buffer memory after a full collection. */
function retained(): number {
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

describe('body memory hardening', () => {
  // the defaults: MAX_BODY_BYTES 10 MB, MAX_INFLIGHT_BODY_BYTES 64 MiB, MAX_INFLIGHT_BODY_BYTES_PER_IP 32 MiB
  const suite = hardenedSuite(() => startServer());
  const refusals = (code: string): Promise<number> =>
    metricValue(suite.server.url, `pulseboard_refusals_total{code="${code}"}`);

  it('keeps memory bounded under 150 concurrent gzip bombs from one address, refusing some with 429 too_many_inflight_bytes', async () => {
    const bomb = gzipBomb('bomb.a', BOMB_BYTES);
    expect(bomb.length).toBeLessThan(20 * 1024);
    const refusedBefore = await refusals('too_many_inflight_bytes');
    const before = retained();
    const memory = sampleMemory();
    let answers: Answer[];
    try {
      answers = await Promise.all(Array.from({ length: 150 }, () => gzipIngest(suite.server.url, bomb)));
    } finally {
      memory.stop();
    }
    const growth = memory.peak() - before;

    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].sort()).toEqual([202, 429]);
    const refused = answers.filter((a) => a.status === 429);
    for (const answer of refused) {
      expect(errorCode(answer.body)).toBe('too_many_inflight_bytes');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(await refusals('too_many_inflight_bytes')).toBe(refusedBefore + refused.length);
    // unbounded, this grew by well over a gigabyte and stayed there
    expect(growth, `grew by ${Math.round(growth / MB)} MB`).toBeLessThan(400 * MB);
    const after = retained();
    expect(after - before, `kept ${Math.round((after - before) / MB)} MB`).toBeLessThan(100 * MB);
    await suite.bystander.stillServes();
  });

  it('refuses the body that would pass MAX_INFLIGHT_BODY_BYTES_PER_IP, serves another address meanwhile, and gives the bytes back', async () => {
    const held = await splitGzipBomb('held.a', 9 * MB);
    expect(held.head.length).toBeLessThan(20 * 1024);
    const requests = Array.from({ length: 4 }, () => heldIngest(suite.server.url, held.head, '127.0.0.1'));
    suite.closers.push(() => requests.forEach((r) => r.abort()));
    // three of them fit in 32 MiB; the one whose bytes would pass it is refused while the others wait
    const first = await Promise.race(requests.map((r, i) => r.answer.then((answer) => ({ answer, i }))));
    expect(first.answer.status).toBe(429);
    expect(errorCode(first.answer.body)).toBe('too_many_inflight_bytes');
    expect(first.answer.headers['retry-after']).toBe('1');
    expect((first.answer.body as ErrorBody).error.message).toContain('in flight');

    const other = await gzipIngest(suite.server.url, gzipBomb('held.other', BOMB_BYTES), '127.0.0.3');
    expect(other.status).toBe(202);

    const rest = requests.filter((_, i) => i !== first.i);
    const finished = await Promise.all(rest.map((r) => r.finish(held.tail)));
    expect(finished.map((a) => a.status)).toEqual([202, 202, 202]);
    // every reservation was given back: the same address may hold as much again
    const again = await Promise.all([1, 2, 3].map(() => gzipIngest(suite.server.url, gzipBomb('held.a', 9 * MB))));
    expect(again.map((a) => a.status)).toEqual([202, 202, 202]);
    await suite.bystander.stillServes();
  });
});

describe('body memory hardening: the server-wide limit', () => {
  const suite = hardenedSuite(() =>
    startServer({
      MAX_BODY_BYTES: String(MB),
      MAX_INFLIGHT_BODY_BYTES: String(2 * MB),
      MAX_INFLIGHT_BODY_BYTES_PER_IP: '0',
    }),
  );

  it('answers a body past MAX_INFLIGHT_BODY_BYTES from any address with 503 inflight_bytes_exhausted, until bytes come back', async () => {
    const refusalsBefore = await metricValue(
      suite.server.url,
      'pulseboard_refusals_total{code="inflight_bytes_exhausted"}',
    );
    const held = await splitGzipBomb('total.a', 0.9 * MB);
    // three addresses, 0.9 MB each: two fit in 2 MB, the one whose bytes would pass it is refused
    const requests = ['127.0.0.1', '127.0.0.3', '127.0.0.4'].map((address) =>
      heldIngest(suite.server.url, held.head, address),
    );
    suite.closers.push(() => requests.forEach((r) => r.abort()));
    const first = await Promise.race(requests.map((r, i) => r.answer.then((answer) => ({ answer, i }))));
    expect(first.answer.status).toBe(503);
    expect(errorCode(first.answer.body)).toBe('inflight_bytes_exhausted');
    expect(first.answer.headers['retry-after']).toBe('1');
    expect(await metricValue(suite.server.url, 'pulseboard_refusals_total{code="inflight_bytes_exhausted"}')).toBe(
      refusalsBefore + 1,
    );

    const rest = requests.filter((_, i) => i !== first.i);
    expect((await Promise.all(rest.map((r) => r.finish(held.tail)))).map((a) => a.status)).toEqual([202, 202]);
    // the bytes came back: the refused producer's retry goes through
    expect((await gzipIngest(suite.server.url, gzipBomb('total.a', 0.9 * MB), '127.0.0.4')).status).toBe(202);
    await suite.bystander.stillServes();
  });
});
