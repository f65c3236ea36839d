/*
 * The consumer's state machine against a scripted stream (src/testing/fakes.ts)
 * and vitest's fake timers: backoff delays, silence and refusals have to be
 * produced on cue and measured to the millisecond, which a real server and
 * clock cannot do. test/sdk-consumer.e2e-spec.ts runs it against the real server.
 */
import { describe, expect, it, vi } from 'vitest';
import { PulseboardError } from '../pulseboard-error.js';
import { chunk, useHarnesses } from '../testing/consumer-harness.js';

describe('PulseboardConsumer', () => {
  const make = useHarnesses();

  it('moves disconnected → connecting → connected on hello, and back to disconnected on close', () => {
    const { consumer, sse, states } = make();
    expect(consumer.state).toBe('disconnected');
    consumer.connect();
    expect(consumer.state).toBe('connecting');
    expect(sse.streams).toHaveLength(1);
    sse.last.hello('s-1');
    expect(consumer.state).toBe('connected');
    expect(consumer.session).toBe('s-1');
    consumer.close();
    expect(states).toEqual(['connecting', 'connected', 'disconnected']);
    expect(sse.last.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('streams selectors with label matchers, commas inside braces kept', () => {
    const { consumer, sse } = make({ feeds: ['cpu.usage{host=~"a|b",dc="x"}', 'mem.*'] });
    consumer.connect();
    const url = new URL(sse.last.request.url);
    expect(url.searchParams.get('feeds')).toBe('cpu.usage{host=~"a|b",dc="x"},mem.*');
    const seen: unknown[] = [];
    consumer.on('points', ({ feeds }) => seen.push(Object.keys(feeds)));
    sse.last.hello('s-1');
    sse.last.points('c-1', { 'cpu.usage{host="a"}': chunk(1, 2), 'mem.used': chunk(3, 4) });
    expect(seen).toEqual([['cpu.usage{host="a"}', 'mem.used']]);
  });

  it('emits hello, points with their cursor, and gaps', () => {
    const { consumer, sse } = make();
    const seen: unknown[] = [];
    consumer.on('hello', (hello) => seen.push(['hello', hello]));
    consumer.on('points', (points) => seen.push(['points', points]));
    consumer.on('gap', (gap) => seen.push(['gap', gap]));
    consumer.connect();
    sse.last.hello('s-1', 50);
    sse.last.points('c-1', { 'a.x': chunk(1, 2) });
    sse.last.message('gap', { feeds: ['a.x'], reason: 'slow' });
    expect(seen).toEqual([
      ['hello', { session: 's-1', batchMs: 50 }],
      ['points', { cursor: 'c-1', feeds: { 'a.x': chunk(1, 2) } }],
      ['gap', { feeds: ['a.x'], reason: 'slow' }],
    ]);
    expect(consumer.cursor).toBe('c-1');
  });

  it('waits full-jitter delays that double from 500 ms to a 20 s ceiling, and start over after a connected stream', async () => {
    const { consumer, sse, reconnects } = make();
    consumer.connect();
    const expected = [500, 1000, 2000, 4000, 8000, 16_000, 20_000, 20_000];
    for (const [i, delay] of expected.entries()) {
      sse.last.break();
      expect(reconnects.at(-1)).toEqual({ attempt: i + 1, delayMs: delay });
      expect(consumer.state).toBe('connecting');
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(sse.streams).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(sse.streams).toHaveLength(i + 2);
    }
    sse.last.hello();
    sse.last.end();
    expect(reconnects.at(-1)).toEqual({ attempt: 1, delayMs: 500 });
  });

  it('jitters each delay with the injected random source', () => {
    const draws = [0.5, 0.1, 0.9];
    const { consumer, sse, reconnects } = make({ platform: { random: () => draws.shift() ?? 0 } });
    consumer.connect();
    for (let i = 0; i < 3; i++) {
      sse.last.break();
      vi.runOnlyPendingTimers();
    }
    expect(reconnects.map((r) => r.delayMs)).toEqual([250, 100, 1800]);
  });

  it('resumes after the last cursor with the current feed set; history only before a cursor exists', async () => {
    const { consumer, sse } = make({ history: 60_000, maxRate: 10 });
    consumer.connect();
    expect(sse.last.feeds).toEqual(['a.x']);
    expect(sse.last.param('history')).toBe('60000');
    expect(sse.last.param('maxRate')).toBe('10');
    expect(sse.last.request.lastEventId).toBeUndefined();
    sse.last.hello();
    sse.last.points('c-1', { 'a.x': chunk(1) });
    sse.last.points('c-2', { 'a.x': chunk(2) });
    sse.last.break();
    await consumer.subscribe(['b.>']);
    await consumer.unsubscribe(['a.x']);
    await vi.advanceTimersByTimeAsync(500);
    expect(sse.streams).toHaveLength(2);
    expect(sse.last.request.lastEventId).toBe('c-2');
    expect(sse.last.feeds).toEqual(['b.>']);
    expect(sse.last.param('history')).toBeNull();
    expect(sse.last.param('maxRate')).toBe('10');
  });

  it('builds stream and socket addresses under a base path', () => {
    const { consumer, sse, sockets } = make({ url: 'https://pulse.test/dash' }, false);
    consumer.connect();
    expect(new URL(sse.last.request.url).pathname).toBe('/dash/api/v1/stream');
    expect(sockets[0].url).toBe('https://pulse.test');
    expect(sockets[0].options.path).toBe('/dash/socket.io');
  });

  it('reconnects when nothing arrived for watchdogMs', async () => {
    const { consumer, sse, errors } = make({ watchdogMs: 30_000 });
    consumer.connect();
    sse.last.hello();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(sse.streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors.map((e) => e.code)).toEqual(['heartbeat_timeout']);
    expect(sse.streams[0].closed).toBe(true);
    expect(consumer.state).toBe('connecting');
    await vi.advanceTimersByTimeAsync(500);
    expect(sse.streams).toHaveLength(2);
  });

  it('stays connected while heartbeat comments or events keep arriving', async () => {
    const { consumer, sse, errors } = make({ watchdogMs: 30_000 });
    consumer.connect();
    sse.last.hello();
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(10_000);
      if (i % 2 === 0) sse.last.comment();
      else sse.last.points(`c-${i}`, { 'a.x': chunk(i) });
    }
    expect(sse.streams).toHaveLength(1);
    expect(consumer.state).toBe('connected');
    expect(errors).toEqual([]);
  });

  it('takes liveness from socket pings when the connector hides comments', async () => {
    const { consumer, sse, sockets } = make({ watchdogMs: 30_000 }, false);
    consumer.connect();
    expect(sockets).toHaveLength(1);
    sockets[0].accept();
    sse.last.hello();
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(25_000);
      sockets[0].ping();
    }
    expect(sse.streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sse.streams).toHaveLength(1);
    expect(sse.streams[0].closed).toBe(true);
    expect(consumer.state).toBe('connecting');
  });

  it('stops on a 4xx refusal instead of retrying, and retries a 5xx', async () => {
    const { consumer, sse, errors, reconnects } = make();
    consumer.connect();
    sse.last.refuse(503, 'shutting_down');
    expect(reconnects).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    sse.last.refuse(400, 'invalid_pattern');
    expect(errors.map((e) => [e.code, e.status])).toEqual([
      ['shutting_down', 503],
      ['invalid_pattern', 400],
    ]);
    expect(consumer.state).toBe('disconnected');
    expect(reconnects).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sse.streams).toHaveLength(2);
  });

  it('refuses invalid feed names and selectors before opening anything', async () => {
    expect(() => make({ feeds: ['a..b'] })).toThrow(PulseboardError);
    expect(() => make({ feeds: ['cpu{host="a"'] })).toThrow(PulseboardError);
    const { consumer, sse } = make();
    await expect(consumer.subscribe(['x.>.y'])).rejects.toMatchObject({ code: 'invalid_pattern' });
    await expect(consumer.subscribe(['cpu{host~"a"}'])).rejects.toMatchObject({ code: 'invalid_pattern' });
    expect(consumer.feeds).toEqual(['a.x']);
    expect(sse.streams).toHaveLength(0);
  });

  it('reconnects at once with a fresh token when the server says the token expired', async () => {
    let issued = 0;
    const { consumer, sse, errors } = make({ token: () => Promise.resolve(`token-${++issued}`) });
    consumer.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(sse.last.request.token).toBe('token-1');
    sse.last.hello();
    sse.last.points('c-7', { 'a.x': chunk(7) });
    sse.last.message('error', { code: 'token_expired', message: 'expired' });
    sse.streams[0].end();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.map((e) => e.code)).toEqual(['token_expired']);
    expect(sse.streams).toHaveLength(2);
    expect(sse.last.request).toMatchObject({ token: 'token-2', lastEventId: 'c-7' });
  });

  it('reports a stream that ends after a server error once, then reconnects with backoff', async () => {
    const { consumer, sse, errors, reconnects } = make();
    consumer.connect();
    sse.last.hello();
    sse.last.message('error', { code: 'internal_error', message: 'boom' });
    sse.last.end();
    expect(errors.map((e) => e.code)).toEqual(['internal_error']);
    expect(reconnects).toEqual([{ attempt: 1, delayMs: 500 }]);
    await vi.advanceTimersByTimeAsync(500);
    expect(sse.streams).toHaveLength(2);
  });

  it('retries with backoff when the token callback fails', async () => {
    let calls = 0;
    const { consumer, sse, errors } = make({
      token: () => (++calls === 1 ? Promise.reject(new Error('no token')) : Promise.resolve('t')),
    });
    consumer.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.map((e) => e.code)).toEqual(['token_unavailable']);
    expect(sse.streams).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(500);
    expect(sse.last.request.token).toBe('t');
  });

  it('leaves no timer behind when closed during a backoff wait', () => {
    const { consumer, sse } = make();
    consumer.connect();
    sse.last.break();
    expect(vi.getTimerCount()).toBe(1);
    consumer.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(consumer.state).toBe('disconnected');
  });

  it('connects again after close, resuming from the cursor', () => {
    const { consumer, sse } = make();
    consumer.connect();
    sse.last.hello();
    sse.last.points('c-3', { 'a.x': chunk(3) });
    consumer.close();
    consumer.connect();
    expect(sse.streams).toHaveLength(2);
    expect(sse.last.request.lastEventId).toBe('c-3');
  });

  describe('subscriptions', () => {
    it('sends a change of a live stream over the socket, named by its session', async () => {
      const { consumer, sse, sockets } = make();
      consumer.connect();
      sse.last.hello('s-9');
      expect(sockets).toHaveLength(0);
      const feeds = await consumer.subscribe(['b.y'], { history: 5000, maxRate: 20 });
      expect(sockets[0].sent).toEqual([
        { event: 'subscribe', message: { feeds: ['b.y'], session: 's-9', history: 5000, maxRate: 20 } },
      ]);
      expect(feeds).toEqual(['b.y']);
      expect(consumer.feeds).toEqual(['a.x', 'b.y']);
      await consumer.unsubscribe(['a.x']);
      expect(sockets[0].sent[1]).toEqual({ event: 'unsubscribe', message: { feeds: ['a.x'], session: 's-9' } });
      expect(sse.streams).toHaveLength(1);
    });

    it('only records a change while no stream is connected; the next stream carries it', async () => {
      const { consumer, sse, sockets } = make();
      await expect(consumer.subscribe(['b.y'])).resolves.toEqual(['a.x', 'b.y']);
      consumer.connect();
      expect(sse.last.feeds).toEqual(['a.x', 'b.y']);
      expect(sockets).toHaveLength(0);
    });

    it('rejects a refused change with its code and does not keep it', async () => {
      const { consumer, sse, sockets } = make();
      consumer.connect();
      sse.last.hello('s-1');
      consumer.controlSocket();
      sockets[0].answer = () => ({ ok: false, error: { code: 'too_many_subscriptions', message: 'too many' } });
      const refused = consumer.subscribe(['b.y']);
      await expect(refused).rejects.toBeInstanceOf(PulseboardError);
      await expect(refused).rejects.toMatchObject({ code: 'too_many_subscriptions' });
      expect(consumer.feeds).toEqual(['a.x']);
    });

    it('does not fail when the session is gone because the stream is reconnecting', async () => {
      const { consumer, sse, sockets } = make();
      consumer.connect();
      sse.last.hello('s-1');
      consumer.controlSocket();
      sockets[0].answer = () => {
        sse.last.break();
        return { ok: false, error: { code: 'session_not_found', message: 'gone' } };
      };
      await expect(consumer.subscribe(['b.y'])).resolves.toEqual(['a.x', 'b.y']);
      await vi.advanceTimersByTimeAsync(500);
      expect(sse.streams).toHaveLength(2);
      expect(sse.last.feeds).toEqual(['a.x', 'b.y']);
    });

    it('reopens the stream with the new set when the socket does not acknowledge', async () => {
      const { consumer, sse, sockets, errors } = make({ ackTimeoutMs: 1000 });
      consumer.connect();
      sse.last.hello('s-1');
      sse.last.points('c-1', { 'a.x': chunk(1) });
      consumer.controlSocket();
      sockets[0].answer = () => undefined;
      const subscribed = consumer.subscribe(['b.y']);
      await vi.advanceTimersByTimeAsync(1000);
      await expect(subscribed).resolves.toEqual(['a.x', 'b.y']);
      expect(errors.map((e) => e.code)).toEqual(['ack_timeout']);
      expect(sse.streams).toHaveLength(2);
      expect(sse.last.request.lastEventId).toBe('c-1');
      expect(sse.last.feeds).toEqual(['a.x', 'b.y']);
    });

    it('applies changes made while the stream was opening once its hello names the session', async () => {
      const { consumer, sse, sockets } = make({ feeds: ['a.x', 'a.y'] });
      consumer.connect();
      await consumer.subscribe(['b.y']);
      await consumer.unsubscribe(['a.y']);
      expect(sockets).toHaveLength(0);
      sse.last.hello('s-2');
      await vi.advanceTimersByTimeAsync(0);
      expect(sockets[0].sent).toEqual([
        { event: 'subscribe', message: { feeds: ['b.y'], session: 's-2' } },
        { event: 'unsubscribe', message: { feeds: ['a.y'], session: 's-2' } },
      ]);
      expect(sse.streams).toHaveLength(1);
    });

    it('passes the token to the socket handshake, asking the callback each time', async () => {
      let issued = 0;
      const { consumer, sockets } = make({ token: () => `t-${++issued}` });
      consumer.controlSocket();
      await expect(sockets[0].handshakeToken()).resolves.toBe('t-1');
      await expect(sockets[0].handshakeToken()).resolves.toBe('t-2');
      consumer.close();
      expect(sockets[0].disconnected).toBe(true);
    });
  });
});
