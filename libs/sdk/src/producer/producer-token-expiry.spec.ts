/*
 * The producer when the server refuses its token, against a scripted ingest
 * endpoint and vitest's fake timers: the refusal, the fresh token and the
 * answer to the retried batch must come on cue.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TokenSource } from '../platform.js';
import { ScriptedIngest } from '../testing/scripted-ingest.js';
import type { ProducerOptions, ProducerRetryEvent, RejectedBatchError } from './producer-options.js';
import { PulseboardProducer } from './pulseboard-producer.js';

const settle = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

const refusal = (code: string) => ({ error: { code, message: `refused: ${code}`, details: [] } });

describe('PulseboardProducer token expiry', () => {
  let ingest: ScriptedIngest;
  let issued: number;
  /** A token callback that hands out `p-1`, `p-2`, … (a promise, as a token service would). */
  const token: TokenSource = () => Promise.resolve(`p-${++issued}`);

  interface Recorded {
    producer: PulseboardProducer;
    retries: ProducerRetryEvent[];
    errors: RejectedBatchError[];
  }
  const make = (options: Partial<ProducerOptions> = {}): Recorded => {
    const producer = new PulseboardProducer({
      url: 'http://pulse.test',
      flushIntervalMs: 0,
      ...options,
      platform: { fetch: ingest.fetch, random: () => 1 },
    });
    const recorded: Recorded = { producer, retries: [], errors: [] };
    producer.on('retry', (event) => recorded.retries.push(event));
    producer.on('error', (error) => recorded.errors.push(error));
    return recorded;
  };
  const authorizations = (): string[] => ingest.requests.map((r) => r.headers.authorization);

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    ingest = new ScriptedIngest();
    issued = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(['token_expired', 'invalid_token'])(
    'sends the batch again at once with a fresh token after a 401 %s, and delivers it once',
    async (code) => {
      const { producer, retries, errors } = make({ token });
      producer.pushMany([
        { feed: 'p.a', v: 1 },
        { feed: 'p.a', v: 2 },
      ]);
      await settle();
      ingest.last.respond(401, refusal(code));
      await settle();
      expect(ingest.values()).toEqual([
        [1, 2],
        [1, 2],
      ]);
      expect(authorizations()).toEqual(['Bearer p-1', 'Bearer p-2']);
      expect(retries).toMatchObject([{ attempt: 1, delayMs: 0, error: { code, status: 401 } }]);
      ingest.last.respond(202);
      await settle();
      expect(producer.stats).toEqual({ sent: 2, dropped: 0, rejected: 0, buffered: 0 });
      expect(errors).toEqual([]);
      producer.push('p.a', 3);
      await settle();
      expect(ingest.values()).toEqual([[1, 2], [1, 2], [3]]);
      expect(ingest.last.headers.authorization).toBe('Bearer p-3');
    },
  );

  it('refuses the batch when the fresh token is refused too, and goes on with the next batch', async () => {
    const { producer, retries, errors } = make({ token, maxBatchPoints: 2 });
    producer.pushMany([1, 2, 3, 4].map((v) => ({ feed: 'p.a', v })));
    await settle();
    ingest.last.respond(401, refusal('token_expired'));
    await settle();
    ingest.last.respond(401, refusal('invalid_token'));
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'invalid_token', status: 401 });
    expect(errors[0].points.map((p) => p.v)).toEqual([1, 2]);
    expect(retries).toHaveLength(1);
    // the next batch starts afresh: its own refused token is renewed at once again
    expect(ingest.values()).toEqual([
      [1, 2],
      [1, 2],
      [3, 4],
    ]);
    ingest.last.respond(401, refusal('token_expired'));
    await settle();
    ingest.last.respond(202);
    await settle();
    expect(authorizations()).toEqual(['Bearer p-1', 'Bearer p-2', 'Bearer p-3', 'Bearer p-4']);
    expect(producer.stats).toEqual({ sent: 2, dropped: 0, rejected: 2, buffered: 0 });
  });

  it('follows the retry policy when the request with the fresh token fails for another reason', async () => {
    const { producer, retries, errors } = make({ token });
    producer.push('p.a', 1);
    await settle();
    ingest.last.respond(401, refusal('token_expired'));
    await settle();
    ingest.last.respond(503, refusal('log_unavailable'));
    await settle();
    expect(retries.map((r) => [r.attempt, r.delayMs, r.error.code])).toEqual([
      [1, 0, 'token_expired'],
      [2, 400, 'log_unavailable'],
    ]);
    await vi.advanceTimersByTimeAsync(399);
    expect(ingest.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    ingest.last.respond(202);
    await settle();
    expect(authorizations()).toEqual(['Bearer p-1', 'Bearer p-2', 'Bearer p-3']);
    expect(producer.stats).toEqual({ sent: 1, dropped: 0, rejected: 0, buffered: 0 });
    expect(errors).toEqual([]);
  });

  it('refuses the batch at once with a fixed token, or on a 401 unauthorized or a 403', async () => {
    const fixed = make({ token: 'fixed' });
    fixed.producer.push('p.a', 1);
    await settle();
    ingest.last.respond(401, refusal('token_expired'));
    await settle();
    const missing = make({ token });
    missing.producer.push('p.a', 2);
    await settle();
    ingest.last.respond(401, refusal('unauthorized'));
    await settle();
    const forbidden = make({ token });
    forbidden.producer.push('p.a', 3);
    await settle();
    ingest.last.respond(403, refusal('forbidden'));
    await settle();
    expect(ingest.values()).toEqual([[1], [2], [3]]);
    for (const { producer, retries, errors } of [fixed, missing, forbidden]) {
      expect(retries).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(producer.stats).toEqual({ sent: 0, dropped: 0, rejected: 1, buffered: 0 });
    }
    expect([fixed, missing, forbidden].map(({ errors }) => errors[0].code)).toEqual([
      'token_expired',
      'unauthorized',
      'forbidden',
    ]);
  });
});
