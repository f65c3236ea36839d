/*
 * The producer against a scripted ingest endpoint and vitest's fake timers:
 * batching windows, Retry-After waits and failure sequences (503, 429, a
 * refused batch) must happen on cue and be measured to the millisecond.
 * test/sdk-producer.e2e-spec.ts runs it against the real server.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PulseboardError } from '../pulseboard-error.js';
import { ScriptedIngest } from '../testing/scripted-ingest.js';
import type { ProducerOptions, ProducerRetryEvent, RejectedBatchError } from './producer-options.js';
import { PulseboardProducer } from './pulseboard-producer.js';

const settle = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

describe('PulseboardProducer', () => {
  let ingest: ScriptedIngest;
  const producers: PulseboardProducer[] = [];
  const make = (options: Partial<ProducerOptions> = {}): PulseboardProducer => {
    const producer = new PulseboardProducer({
      url: 'http://pulse.test',
      ...options,
      platform: { fetch: ingest.fetch, random: () => 1, ...options.platform },
    });
    producers.push(producer);
    return producer;
  };
  const pushValues = (producer: PulseboardProducer, from: number, count: number): void => {
    for (let v = from; v < from + count; v++) producer.push('p.a', v);
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    ingest = new ScriptedIngest();
  });
  afterEach(() => {
    producers.splice(0);
    vi.useRealTimers();
  });

  it('sends a batch as soon as maxBatchPoints wait, one request at a time, in push order', async () => {
    const producer = make({ maxBatchPoints: 3 });
    pushValues(producer, 1, 7);
    await settle();
    expect(ingest.values()).toEqual([[1, 2, 3]]);
    expect(ingest.last.url).toBe('http://pulse.test/api/v1/ingest');
    expect(ingest.last.headers['content-type']).toBe('application/json');
    ingest.last.respond(202);
    await settle();
    expect(ingest.values()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    ingest.last.respond(202);
    await settle();
    expect(ingest.requests).toHaveLength(2);
    expect(producer.stats).toEqual({ sent: 6, dropped: 0, rejected: 0, buffered: 1 });
  });

  it('sends a partial batch once the oldest point has waited flushIntervalMs', async () => {
    const producer = make({ flushIntervalMs: 100 });
    producer.push('p.a', 1);
    await vi.advanceTimersByTimeAsync(60);
    producer.push('p.a', 2);
    await vi.advanceTimersByTimeAsync(39);
    expect(ingest.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(ingest.values()).toEqual([[1, 2]]);
  });

  it('stamps points pushed without t at push time, unless told to leave it to the server', async () => {
    const stamped = make({ flushIntervalMs: 10 });
    stamped.push('p.a', 1);
    stamped.push('p.a', 2, 5);
    await vi.advanceTimersByTimeAsync(10);
    expect(ingest.last.points).toEqual([
      { feed: 'p.a', t: 1_700_000_000_000, v: 1 },
      { feed: 'p.a', t: 5, v: 2 },
    ]);
    ingest.last.respond(202);
    const bare = make({ flushIntervalMs: 10, clientTimestamps: false });
    bare.push('p.a', 3);
    await vi.advanceTimersByTimeAsync(10);
    expect(ingest.last.points).toEqual([{ feed: 'p.a', v: 3 }]);
  });

  it('waits what Retry-After says on 429, in seconds or as an HTTP-date', async () => {
    const producer = make({ flushIntervalMs: 0 });
    const retries: ProducerRetryEvent[] = [];
    producer.on('retry', (event) => retries.push(event));
    producer.push('p.a', 1);
    await settle();
    ingest.last.respond(
      429,
      { error: { code: 'rate_limited', message: 'slow down', details: [] } },
      {
        'retry-after': '2',
      },
    );
    await settle();
    expect(retries).toMatchObject([{ attempt: 1, delayMs: 2000, error: { code: 'rate_limited', status: 429 } }]);
    await vi.advanceTimersByTimeAsync(1999);
    expect(ingest.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ingest.requests).toHaveLength(2);
    const at = new Date(Date.now() + 3000).toUTCString();
    ingest.last.respond(
      429,
      { error: { code: 'rate_limited', message: 'slow down', details: [] } },
      {
        'retry-after': at,
      },
    );
    await settle();
    expect(retries[1].delayMs).toBe(3000);
    await vi.advanceTimersByTimeAsync(3000);
    ingest.last.respond(202);
    await settle();
    expect(ingest.values()).toEqual([[1], [1], [1]]);
    expect(producer.stats).toEqual({ sent: 1, dropped: 0, rejected: 0, buffered: 0 });
  });

  it('retries 503 and network errors with growing full-jitter delays, then goes on', async () => {
    const producer = make({ flushIntervalMs: 0, retry: { initialMs: 200, maxMs: 10_000 } });
    const retries: ProducerRetryEvent[] = [];
    producer.on('retry', (event) => retries.push(event));
    producer.push('p.a', 1);
    await settle();
    ingest.last.respond(503, { error: { code: 'log_unavailable', message: 'down', details: [] } });
    await vi.advanceTimersByTimeAsync(200);
    ingest.last.fail(new TypeError('fetch failed'));
    await vi.advanceTimersByTimeAsync(400);
    ingest.last.respond(502, 'bad gateway');
    await vi.advanceTimersByTimeAsync(800);
    ingest.last.respond(202);
    producer.push('p.a', 2);
    await settle();
    expect(retries.map((r) => [r.delayMs, r.error.code])).toEqual([
      [200, 'log_unavailable'],
      [400, 'network_error'],
      [800, 'http_error'],
    ]);
    expect(ingest.values()).toEqual([[1], [1], [1], [1], [2]]);
  });

  it('drops a batch the server refuses as invalid, reports it with its points and counts it', async () => {
    const producer = make({ maxBatchPoints: 2 });
    const errors: RejectedBatchError[] = [];
    producer.on('error', (error) => errors.push(error));
    pushValues(producer, 1, 4);
    await settle();
    ingest.last.respond(400, {
      error: { code: 'invalid_points', message: 'bad', details: [{ index: 1, reason: 'feed not allowed' }] },
    });
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PulseboardError);
    expect(errors[0]).toMatchObject({ code: 'invalid_points', status: 400, details: [{ index: 1 }] });
    expect(errors[0].points.map((p) => p.v)).toEqual([1, 2]);
    ingest.last.respond(202);
    await settle();
    expect(ingest.values()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(producer.stats).toEqual({ sent: 2, dropped: 0, rejected: 2, buffered: 0 });
  });

  it('drops the oldest waiting points when the buffer is full, and counts them', async () => {
    const producer = make({ maxBatchPoints: 2, maxBufferPoints: 5 });
    const drops: number[] = [];
    producer.on('drop', ({ count }) => drops.push(count));
    pushValues(producer, 1, 2);
    await settle();
    expect(ingest.values()).toEqual([[1, 2]]);
    pushValues(producer, 3, 8);
    expect(producer.stats).toEqual({ sent: 0, dropped: 3, rejected: 0, buffered: 7 });
    expect(drops).toEqual([1, 1, 1]);
    producer.pushMany(Array.from({ length: 7 }, (_, i) => ({ feed: 'p.a', v: 100 + i })));
    expect(producer.stats.dropped).toBe(10);
    for (let i = 0; i < 3; i++) {
      ingest.last.respond(202);
      await settle();
    }
    // the last, partial batch waits for its window
    await vi.advanceTimersByTimeAsync(100);
    ingest.last.respond(202);
    await settle();
    expect(ingest.values()).toEqual([[1, 2], [102, 103], [104, 105], [106]]);
    expect(producer.stats).toEqual({ sent: 7, dropped: 10, rejected: 0, buffered: 0 });
  });

  it('flush() resolves once everything pushed before it was delivered', async () => {
    const producer = make({ maxBatchPoints: 2, flushIntervalMs: 60_000 });
    pushValues(producer, 1, 3);
    let flushed = false;
    void producer.flush().then(() => (flushed = true));
    await settle();
    producer.push('p.a', 4);
    ingest.last.respond(202);
    await settle();
    expect(flushed).toBe(false);
    expect(ingest.values()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    ingest.last.respond(202);
    await settle();
    expect(flushed).toBe(true);
    await expect(producer.flush()).resolves.toBeUndefined();
  });

  it('close() delivers what is buffered, then refuses pushes and leaves no timer', async () => {
    const producer = make({ flushIntervalMs: 60_000 });
    pushValues(producer, 1, 3);
    const closed = producer.close();
    expect(() => producer.push('p.a', 4)).toThrow(/closed/);
    await settle();
    ingest.last.respond(503);
    await vi.advanceTimersByTimeAsync(200);
    ingest.last.respond(202);
    await closed;
    expect(ingest.values()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(producer.stats).toEqual({ sent: 3, dropped: 0, rejected: 0, buffered: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close({timeoutMs}) gives up on an unreachable server, dropping and counting the rest', async () => {
    const producer = make({ flushIntervalMs: 0 });
    const drops: { count: number; reason: string }[] = [];
    producer.on('drop', (event) => drops.push(event));
    pushValues(producer, 1, 3);
    await settle();
    ingest.last.fail(new TypeError('fetch failed'));
    const closed = producer.close({ timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    await closed;
    expect(drops).toEqual([{ count: 3, reason: 'close_timeout' }]);
    expect(producer.stats).toEqual({ sent: 0, dropped: 3, rejected: 0, buffered: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a point the server would refuse, so it never spoils a batch', () => {
    const producer = make();
    expect(() => producer.push('bad feed', 1)).toThrow(PulseboardError);
    expect(() => producer.push('p.a', Number.NaN)).toThrow(/finite/);
    expect(() =>
      producer.pushMany([
        { feed: 'p.a', v: 1 },
        { feed: 'p.a', v: Infinity },
      ]),
    ).toThrow(
      expect.objectContaining({ code: 'invalid_points', details: [{ index: 1, reason: 'v must be a finite number' }] }),
    );
    expect(producer.stats.buffered).toBe(0);
  });

  it('sends labels with the points that have them, and leaves them out of the others', async () => {
    const producer = make({ flushIntervalMs: 10 });
    const labels: Record<string, string> = { host: 'a' };
    producer.push('cpu.usage', 1, { labels });
    // the producer keeps what was pushed, whatever the caller does with its object afterwards
    labels.host = 'b';
    producer.push('cpu.usage', 2, { t: 5, labels });
    producer.push('cpu.usage', 3, { labels: {} });
    producer.push('cpu.usage', 4, 7);
    producer.pushMany([{ feed: 'cpu.idle', labels: { host: 'a', dc: 'eu "1"' }, t: 9, v: 5 }]);
    await vi.advanceTimersByTimeAsync(10);
    expect(ingest.last.points).toEqual([
      { feed: 'cpu.usage', labels: { host: 'a' }, t: 1_700_000_000_000, v: 1 },
      { feed: 'cpu.usage', labels: { host: 'b' }, t: 5, v: 2 },
      { feed: 'cpu.usage', t: 1_700_000_000_000, v: 3 },
      { feed: 'cpu.usage', t: 7, v: 4 },
      { feed: 'cpu.idle', labels: { host: 'a', dc: 'eu "1"' }, t: 9, v: 5 },
    ]);
  });

  it('refuses labels the server would refuse, before they reach a batch', () => {
    const producer = make();
    const refusal = (labels: Record<string, unknown>) => {
      try {
        producer.push('cpu.usage', 1, { labels: labels as Record<string, string> });
      } catch (error) {
        return error instanceof PulseboardError ? [error.code, error.details[0]?.reason] : error;
      }
      return undefined;
    };
    expect(refusal({ 'bad-key': 'x' })).toEqual(['invalid_points', expect.stringMatching(/label key "bad-key"/)]);
    expect(refusal({ __name__: 'x' })).toEqual(['invalid_points', expect.stringMatching(/reserved/)]);
    expect(refusal({ host: '' })).toEqual(['invalid_points', 'label host must not be empty']);
    expect(refusal({ host: 7 })).toEqual(['invalid_points', 'label host must be a string']);
    expect(refusal(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])))).toEqual([
      'invalid_points',
      'a series may have at most 32 labels',
    ]);
    expect(producer.stats.buffered).toBe(0);
  });

  it('sends a bearer token, asking a token callback before every request', async () => {
    let issued = 0;
    const producer = make({ flushIntervalMs: 0, token: () => Promise.resolve(`p-${++issued}`) });
    producer.push('p.a', 1);
    await settle();
    expect(ingest.last.headers.authorization).toBe('Bearer p-1');
    ingest.last.respond(500);
    await vi.advanceTimersByTimeAsync(200);
    expect(ingest.last.headers.authorization).toBe('Bearer p-2');
  });
});
