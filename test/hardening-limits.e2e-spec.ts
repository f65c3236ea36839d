import { connect as connectTcp } from 'node:net';
import type { FeedChunk } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { bearer, startAuthServer, token } from './support/auth.js';
import { errorCode, getJson, post } from './support/http.js';
import { pollUntil } from './support/polling.js';
import { hardenedSuite } from './support/hardened-suite.js';
import { startServer } from './support/server.js';
import type { SseClient } from './support/sse-client.js';

const json = (points: unknown[]): string => JSON.stringify({ points });
const batch = (feed: string, count: number, v: number): string =>
  json(Array.from({ length: count }, () => ({ feed, v })));

/** Resolves with `promise`, or rejects when it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the status of a refused stream once its JSON answer has arrived. */
async function refusal(stream: SseClient): Promise<{ status: number; code: string }> {
  if (stream.status === 200) return { status: 200, code: '' };
  await stream.until((c) => c.ended, 10_000, 'the refusal to end');
  return { status: stream.status, code: errorCode(JSON.parse(stream.body)) };
}

describe('limits per token', () => {
  let admin: string;
  const suite = hardenedSuite(
    () => startAuthServer({ INGEST_RATE_LIMIT: '100', INGEST_RATE_BURST: '100', MAX_CONNECTIONS_PER_TOKEN: '2' }),
    async () => {
      admin = await token({ role: 'admin', sub: 'bystander' });
      return { token: admin };
    },
  );

  it('answers a producer past its ingest rate with 429 rate_limited and Retry-After, other producers unaffected', async () => {
    const alpha = await token({ role: 'producer', sub: 'producer-alpha' });
    const beta = await token({ role: 'producer', sub: 'producer-beta' });
    expect(
      (await post(suite.server.url, batch('rate.alpha', 100, 1), 'application/json', '', bearer(alpha))).status,
    ).toBe(202);
    const refused = await post(suite.server.url, batch('rate.alpha', 100, 2), 'application/json', '', bearer(alpha));
    expect(refused.status).toBe(429);
    expect(errorCode(refused.body)).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const other = await post(suite.server.url, batch('rate.beta', 100, 3), 'application/json', '', bearer(beta));
    expect(other.status).toBe(202);
    const stored = await getJson<FeedChunk>(`${suite.server.url}/api/v1/feeds/rate.alpha/points`, {
      headers: bearer(admin),
    });
    expect(stored.body.v).toEqual(Array<number>(100).fill(1));
    await suite.bystander.stillServes();
  });

  it('answers the third stream of one token subject with 429 too_many_connections; another subject connects', async () => {
    const alice = await token({ role: 'viewer', sub: 'alice' });
    const aliceAgain = await token({ role: 'viewer', sub: 'alice', name: 'Alice on a laptop' });
    expect((await suite.stream('/api/v1/stream?feeds=tok.a', bearer(alice))).status).toBe(200);
    expect((await suite.stream(`/api/v1/stream?feeds=tok.a&access_token=${aliceAgain}`)).status).toBe(200);

    const third = await suite.stream('/api/v1/stream?feeds=tok.a', bearer(aliceAgain));
    expect(await refusal(third)).toEqual({ status: 429, code: 'too_many_connections' });
    expect(third.headers['retry-after']).toBeDefined();
    await expect(suite.socket({ auth: { token: alice } })).rejects.toThrow('too_many_connections');

    const bob = await suite.stream('/api/v1/stream?feeds=tok.a', bearer(await token({ role: 'viewer', sub: 'bob' })));
    expect(bob.status).toBe(200);
    await post(suite.server.url, json([{ feed: 'tok.a', v: 1 }]), 'application/json', '', bearer(admin));
    await bob.untilPoints('tok.a', 1);
    await suite.bystander.stillServes();
  });
});

describe('limits per client address', () => {
  // the bystander streams from 127.0.0.2, so its slot is not one of these
  const suite = hardenedSuite(() => startServer({ MAX_CONNECTIONS_PER_IP: '3' }));

  /** A stream from 127.0.0.1 once a slot is free (the previous test's streams are released as their sockets close). */
  const nextStream = (): Promise<SseClient> =>
    pollUntil(async () => {
      const attempt = await suite.stream('/api/v1/stream?feeds=ip.a');
      if (attempt.status === 200) return attempt;
      expect(await refusal(attempt)).toEqual({ status: 429, code: 'too_many_connections' });
      return undefined;
    }, 'a free connection slot');
  const fill = async (): Promise<SseClient[]> => [await nextStream(), await nextStream(), await nextStream()];

  it('answers the fourth stream, a long poll and a socket over MAX_CONNECTIONS_PER_IP with too_many_connections', async () => {
    await fill();
    const fourth = await suite.stream('/api/v1/stream?feeds=ip.a');
    expect(await refusal(fourth)).toEqual({ status: 429, code: 'too_many_connections' });
    expect(fourth.headers['retry-after']).toBe('5');

    const { cursor } = (await getJson<{ cursor: string }>(`${suite.server.url}/api/v1/poll?feeds=ip.a`)).body;
    const poll = await getJson(`${suite.server.url}/api/v1/poll?feeds=ip.a&timeoutMs=100&cursor=${cursor}`);
    expect(poll.status).toBe(429);
    expect(errorCode(poll.body)).toBe('too_many_connections');

    await expect(suite.socket()).rejects.toThrow('too_many_connections');
    await suite.bystander.stillServes();
  });

  it('gives a slot back when a stream closes', async () => {
    const [first] = await fill();
    first.close();
    const next = await nextStream();
    await post(suite.server.url, json([{ feed: 'ip.a', v: 7 }]), 'application/json');
    await next.untilPoints('ip.a', 1);
    const over = await suite.stream('/api/v1/stream?feeds=ip.a');
    expect(await refusal(over)).toEqual({ status: 429, code: 'too_many_connections' });
    await suite.bystander.stillServes();
  });
});

describe('socket, subscription and request-time limits', () => {
  const suite = hardenedSuite(() =>
    startServer({
      CONTROL_RATE: '5',
      MAX_SUBSCRIPTIONS: '3',
      SOCKET_MAX_BUFFER_BYTES: '1024',
      SOCKET_CONNECT_TIMEOUT_MS: '500',
      HEADERS_TIMEOUT_MS: '500',
      REQUEST_TIMEOUT_MS: '1000',
    }),
  );

  it('answers a flood of control messages with rate_limited and leaves other sockets alone', async () => {
    const flooder = await suite.socket();
    const other = await suite.socket();
    const acks = await Promise.all(Array.from({ length: 20 }, () => flooder.ack('subscribe', { feeds: ['flood.a'] })));
    const codes = acks.filter((a) => !a.ok).map((a) => (a.ok ? '' : a.error.code));
    expect(codes.length).toBeGreaterThanOrEqual(14);
    expect(new Set(codes)).toEqual(new Set(['rate_limited']));
    expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(5);
    expect(flooder.disconnectReason).toBeUndefined();

    expect(await other.ack('subscribe', { feeds: ['flood.other'] })).toMatchObject({ ok: true });
    await post(suite.server.url, json([{ feed: 'flood.other', v: 1 }]), 'application/json');
    await other.untilValues('flood.other', 1);
    await suite.bystander.stillServes();
  });

  it('answers a stream or poll of more than MAX_SUBSCRIPTIONS feeds with 400 too_many_subscriptions', async () => {
    const four = await suite.stream('/api/v1/stream?feeds=sub.1,sub.2,sub.3,sub.4');
    expect(await refusal(four)).toEqual({ status: 400, code: 'too_many_subscriptions' });
    const poll = await getJson(`${suite.server.url}/api/v1/poll?feeds=sub.1,sub.2,sub.3,sub.4`);
    expect(poll.status).toBe(400);
    expect(errorCode(poll.body)).toBe('too_many_subscriptions');
    const three = await suite.stream('/api/v1/stream?feeds=sub.1,sub.2,sub.3');
    expect(three.status).toBe(200);
    await suite.bystander.stillServes();
  });

  it('answers subscribes past MAX_SUBSCRIPTIONS with too_many_subscriptions, on the socket and for a stream', async () => {
    const socket = await suite.socket();
    expect(await socket.ack('subscribe', { feeds: ['sub.a', 'sub.b'] })).toMatchObject({ ok: true });
    expect(await socket.ack('subscribe', { feeds: ['sub.c', 'sub.d'] })).toMatchObject({
      ok: false,
      error: { code: 'too_many_subscriptions' },
    });
    const stream = await suite.stream('/api/v1/stream?feeds=sub.1,sub.2,sub.3');
    await stream.until((c) => c.named('hello').length === 1, 10_000, 'hello');
    const { session } = JSON.parse(stream.named('hello')[0].data) as { session: string };
    expect(await socket.ack('subscribe', { session, feeds: ['sub.4'] })).toMatchObject({
      ok: false,
      error: { code: 'too_many_subscriptions' },
    });
    await post(suite.server.url, json([{ feed: 'sub.a', v: 1 }]), 'application/json');
    await socket.untilValues('sub.a', 1);
    await suite.bystander.stillServes();
  });

  it('disconnects only the socket that sends more than SOCKET_MAX_BUFFER_BYTES', async () => {
    const bystanderSocket = await suite.socket();
    expect(await bystanderSocket.ack('subscribe', { feeds: ['buf.ok'] })).toMatchObject({ ok: true });
    const offender = await suite.socket();
    (offender.socket.emit as (event: string, payload: unknown) => void)('subscribe', {
      feeds: ['buf.a'],
      padding: 'x'.repeat(4096),
    });
    await offender.untilDisconnected();
    expect(offender.disconnectReason).toBe('transport close');
    await post(suite.server.url, json([{ feed: 'buf.ok', v: 1 }]), 'application/json');
    await bystanderSocket.untilValues('buf.ok', 1);
    expect(bystanderSocket.disconnectReason).toBeUndefined();
    await suite.bystander.stillServes();
  });

  /**
   * A raw connection that sends `start` of a request and never the rest;
   * `answer` resolves with what the server wrote once it closed it.
   */
  const slowRequest = (start: string): { answer: () => Promise<string> } => {
    const slow = connectTcp({ host: '127.0.0.1', port: Number(new URL(suite.server.url).port) });
    suite.closers.push(() => slow.destroy());
    let received = '';
    slow.setEncoding('utf8');
    slow.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    slow.write(start);
    return {
      answer: async () => {
        await within(closed, 10_000, 'the server to close the connection');
        return received;
      },
    };
  };

  it('answers a request whose headers never finish with 408 and closes it, serving others meanwhile', async () => {
    const slow = slowRequest('GET /api/v1/feeds HTTP/1.1\r\n');
    const meanwhile = await getJson(`${suite.server.url}/api/v1/feeds`);
    expect(meanwhile.status).toBe(200);
    expect(await slow.answer()).toMatch(/^HTTP\/1\.1 408 /);
    await suite.bystander.stillServes();
  });

  it('answers a request whose body never finishes with 408 and closes it', async () => {
    const slow = slowRequest(
      'POST /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"points":[',
    );
    expect(await slow.answer()).toMatch(/^HTTP\/1\.1 408 /);
    await suite.bystander.stillServes();
  });

  it('closes a WebSocket that never completes the Socket.IO handshake', async () => {
    const ws = new WebSocket(`${suite.server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    suite.closers.push(() => ws.terminate());
    const messages: string[] = [];
    ws.on('message', (data: Buffer) => messages.push(data.toString('utf8')));
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    await within(closed, 10_000, 'the server to close the idle socket');
    expect(messages[0]).toMatch(/^0\{/);
    expect(messages.some((m) => m.startsWith('40'))).toBe(false);
    const socket = await suite.socket();
    expect(await socket.ack('subscribe', { feeds: ['idle.after'] })).toMatchObject({ ok: true });
    await suite.bystander.stillServes();
  });
});
