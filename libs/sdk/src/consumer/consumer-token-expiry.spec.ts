/*
 * The consumer through token expiry and refused tokens, on both of its
 * connections, against the scripted stream and socket of src/testing/fakes.ts
 * and vitest's fake timers: expiry mid-stream, a refused reconnection and a
 * token callback that keeps giving bad tokens have to happen on cue.
 */
import { describe, expect, it, vi } from 'vitest';
import type { TokenSource } from '../platform.js';
import { chunk, useHarnesses, type Harness } from '../testing/consumer-harness.js';
import type { ConsumerOptions } from './consumer-options.js';

/** A token callback that hands out `t-1`, `t-2`, … and counts its calls. */
function tokenCounter(): { token: TokenSource; calls: () => number } {
  let issued = 0;
  return { token: () => `t-${++issued}`, calls: () => issued };
}

describe('PulseboardConsumer token expiry', () => {
  const make = useHarnesses();

  describe('stream', () => {
    it('reopens at once after an expiry mid-stream, resuming from the cursor with a fresh token', () => {
      const { token, calls } = tokenCounter();
      const { consumer, sse, errors, reconnects } = make({ token });
      const values: number[] = [];
      consumer.on('points', ({ feeds }) => values.push(...(feeds['a.x']?.v ?? [])));
      consumer.connect();
      sse.last.hello('s-1');
      sse.last.points('c-1', { 'a.x': chunk(1) });
      sse.last.points('c-2', { 'a.x': chunk(2) });
      sse.last.message('error', { code: 'token_expired', message: 'the token expired' });
      // the server ends the expired stream; anything it still carried is not read twice
      sse.streams[0].points('c-2', { 'a.x': chunk(2) });
      sse.streams[0].end();
      expect(sse.streams).toHaveLength(2);
      expect(sse.streams[0].closed).toBe(true);
      expect(sse.last.request).toMatchObject({ token: 't-2', lastEventId: 'c-2' });
      expect(calls()).toBe(2);
      sse.last.hello('s-2');
      sse.last.points('c-3', { 'a.x': chunk(3) });
      expect(values).toEqual([1, 2, 3]);
      expect(consumer.cursor).toBe('c-3');
      expect(consumer.state).toBe('connected');
      expect(errors.map((e) => e.code)).toEqual(['token_expired']);
      expect(reconnects).toEqual([]);
    });

    it('backs off when the stream reopened after an expiry is refused: the callback gave a stale token', async () => {
      const { token, calls } = tokenCounter();
      const { consumer, sse, errors, reconnects, states } = make({ token });
      consumer.connect();
      sse.last.hello('s-1');
      sse.last.points('c-5', { 'a.x': chunk(5) });
      sse.last.message('error', { code: 'token_expired', message: 'expired' });
      expect(sse.streams).toHaveLength(2);
      expect(sse.last.request).toMatchObject({ token: 't-2', lastEventId: 'c-5' });
      sse.last.refuse(401, 'token_expired');
      expect(sse.streams).toHaveLength(2);
      expect(reconnects).toEqual([{ attempt: 1, delayMs: 500 }]);
      await vi.advanceTimersByTimeAsync(500);
      expect(sse.last.request).toMatchObject({ token: 't-3', lastEventId: 'c-5' });
      sse.last.refuse(401, 'invalid_token');
      expect(reconnects.at(-1)).toEqual({ attempt: 2, delayMs: 1000 });
      await vi.advanceTimersByTimeAsync(999);
      expect(sse.streams).toHaveLength(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(sse.last.request).toMatchObject({ token: 't-4', lastEventId: 'c-5' });
      sse.last.hello('s-2');
      expect(calls()).toBe(4);
      expect(sse.streams).toHaveLength(4);
      expect(consumer.state).toBe('connected');
      expect(states).not.toContain('disconnected');
      expect(errors.map((e) => [e.code, e.status])).toEqual([
        ['token_expired', undefined],
        ['token_expired', 401],
        ['invalid_token', 401],
      ]);
    });

    it('retries an open refused with a stale token at once, and again at once after a connected stream', () => {
      const { token } = tokenCounter();
      const { consumer, sse, reconnects } = make({ token });
      consumer.connect();
      sse.last.refuse(401, 'invalid_token');
      expect(sse.streams).toHaveLength(2);
      expect(sse.last.request.token).toBe('t-2');
      sse.last.hello('s-1');
      sse.last.points('c-1', { 'a.x': chunk(1) });
      sse.last.break();
      vi.runOnlyPendingTimers();
      sse.last.refuse(401, 'token_expired');
      expect(sse.streams).toHaveLength(4);
      expect(sse.last.request).toMatchObject({ token: 't-4', lastEventId: 'c-1' });
      expect(reconnects).toEqual([{ attempt: 1, delayMs: 500 }]);
    });

    it('retries an open refused as unauthorized with backoff: the callback may not have had a token yet', async () => {
      const { token, calls } = tokenCounter();
      const { consumer, sse, errors, reconnects } = make({ token });
      consumer.connect();
      sse.last.refuse(401, 'unauthorized');
      expect(sse.streams).toHaveLength(1);
      expect(consumer.state).toBe('connecting');
      expect(reconnects).toEqual([{ attempt: 1, delayMs: 500 }]);
      await vi.advanceTimersByTimeAsync(499);
      expect(sse.streams).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(sse.last.request.token).toBe('t-2');
      expect(calls()).toBe(2);
      expect(errors.map((e) => e.code)).toEqual(['unauthorized']);
    });

    it.each(['token_expired', 'invalid_token', 'unauthorized'])(
      'stops on a 401 %s with a fixed token, which cannot change',
      async (code) => {
        const { consumer, sse, errors, reconnects } = make({ token: 'fixed' });
        consumer.connect();
        sse.last.refuse(401, code);
        expect(consumer.state).toBe('disconnected');
        expect(errors.map((e) => [e.code, e.status])).toEqual([[code, 401]]);
        expect(reconnects).toEqual([]);
        expect(vi.getTimerCount()).toBe(0);
        await vi.advanceTimersByTimeAsync(60_000);
        expect(sse.streams).toHaveLength(1);
      },
    );

    it('stops on a 403 even with a token callback: another token of the same holder would not help', () => {
      const { token, calls } = tokenCounter();
      const { consumer, sse, errors } = make({ token });
      consumer.connect();
      sse.last.refuse(403, 'forbidden');
      expect(consumer.state).toBe('disconnected');
      expect(errors.map((e) => e.code)).toEqual(['forbidden']);
      expect(calls()).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('stops at an expiry mid-stream with a fixed token, keeping the cursor for a later connect()', () => {
      const { consumer, sse, errors } = make({ token: 'fixed' });
      consumer.connect();
      sse.last.hello();
      sse.last.points('c-9', { 'a.x': chunk(9) });
      sse.last.message('error', { code: 'token_expired', message: 'expired' });
      expect(consumer.state).toBe('disconnected');
      expect(sse.streams).toHaveLength(1);
      expect(sse.streams[0].closed).toBe(true);
      expect(errors.map((e) => e.code)).toEqual(['token_expired']);
      expect(vi.getTimerCount()).toBe(0);
      consumer.connect();
      expect(sse.last.request.lastEventId).toBe('c-9');
    });

    it('reopens once without a token (a cookie may have been renewed), and stops when that is refused', () => {
      const { consumer, sse, errors } = make();
      consumer.connect();
      sse.last.hello();
      sse.last.points('c-2', { 'a.x': chunk(2) });
      sse.last.message('error', { code: 'token_expired', message: 'expired' });
      expect(sse.streams).toHaveLength(2);
      expect(sse.last.request).toMatchObject({ lastEventId: 'c-2' });
      expect(sse.last.request.token).toBeUndefined();
      sse.last.refuse(401, 'token_expired');
      expect(consumer.state).toBe('disconnected');
      expect(errors.map((e) => e.code)).toEqual(['token_expired', 'token_expired']);
    });
  });

  describe('control socket', () => {
    /** A connected consumer whose control socket is open and connected. */
    const connected = (options: Partial<ConsumerOptions> = {}): Harness => {
      const h = make(options);
      h.consumer.connect();
      h.sse.last.hello('s-1');
      h.consumer.controlSocket();
      h.sockets[0].accept();
      return h;
    };

    it('connects again at once with a fresh token after the server disconnects it for an expired token', async () => {
      const { token, calls } = tokenCounter();
      const { consumer, sse, sockets, errors } = connected({ token });
      const socket = sockets[0];
      socket.serverEmit('error', { code: 'token_expired', message: 'the token expired' });
      socket.drop('io server disconnect');
      expect(errors.map((e) => e.code)).toEqual(['token_expired']);
      await vi.advanceTimersByTimeAsync(0);
      expect(socket.connectCalls).toBe(1);
      expect(socket.handshakes).toEqual(['t-2']);
      expect(calls()).toBe(2);
      socket.accept();
      // the stream and its session are untouched: changes still steer it over the same socket
      await expect(consumer.subscribe(['b.y'])).resolves.toEqual(['b.y']);
      expect(socket.sent).toEqual([{ event: 'subscribe', message: { feeds: ['b.y'], session: 's-1' } }]);
      expect(sockets).toHaveLength(1);
      expect(sse.streams).toHaveLength(1);
      expect(consumer.state).toBe('connected');
    });

    it('connects again after a refused handshake: at once for a stale token, then with backoff', async () => {
      const { token } = tokenCounter();
      const { sockets, errors } = connected({ token });
      const socket = sockets[0];
      socket.serverEmit('error', { code: 'token_expired', message: 'expired' });
      socket.drop();
      await vi.advanceTimersByTimeAsync(0);
      expect(socket.connectCalls).toBe(1);
      socket.refuseHandshake('token_expired');
      await vi.advanceTimersByTimeAsync(499);
      expect(socket.connectCalls).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(socket.connectCalls).toBe(2);
      socket.refuseHandshake('invalid_token');
      await vi.advanceTimersByTimeAsync(999);
      expect(socket.connectCalls).toBe(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(socket.connectCalls).toBe(3);
      expect(socket.handshakes).toEqual(['t-2', 't-3', 't-4']);
      socket.accept();
      expect(errors.map((e) => e.code)).toEqual(['token_expired', 'token_expired', 'invalid_token']);
      // a connection starts the count over: the next expiry is answered at once again
      socket.serverEmit('error', { code: 'token_expired', message: 'expired' });
      socket.drop();
      await vi.advanceTimersByTimeAsync(0);
      expect(socket.connectCalls).toBe(4);
      expect(socket.handshakes.at(-1)).toBe('t-5');
    });

    it('connects again after a handshake refused as unauthorized only after a backoff delay', async () => {
      const { token } = tokenCounter();
      const { consumer, sockets, errors } = make({ token });
      consumer.controlSocket();
      sockets[0].refuseHandshake('unauthorized');
      expect(errors.map((e) => e.code)).toEqual(['unauthorized']);
      await vi.advanceTimersByTimeAsync(499);
      expect(sockets[0].connectCalls).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(sockets[0].connectCalls).toBe(1);
      expect(sockets[0].handshakes).toEqual(['t-1']);
    });

    it('reports a refused handshake without reconnecting when a fresh token cannot help', async () => {
      const { token } = tokenCounter();
      const withCallback = make({ token });
      withCallback.consumer.controlSocket();
      withCallback.sockets[0].refuseHandshake('forbidden', 'not your feeds');
      withCallback.sockets[0].refuseHandshake('too_many_connections', 'too many');
      const fixed = make({ token: 'fixed' });
      fixed.consumer.controlSocket();
      fixed.sockets[0].refuseHandshake('token_expired');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(withCallback.errors.map((e) => [e.code, e.message])).toEqual([
        ['forbidden', 'not your feeds'],
        ['too_many_connections', 'too many'],
      ]);
      expect(fixed.errors.map((e) => e.code)).toEqual(['token_expired']);
      expect(withCallback.sockets[0].connectCalls).toBe(0);
      expect(fixed.sockets[0].connectCalls).toBe(0);
    });

    it('does not connect again after an expiry with a fixed token', async () => {
      const { sockets, errors } = connected({ token: 'fixed' });
      sockets[0].serverEmit('error', { code: 'token_expired', message: 'expired' });
      sockets[0].drop();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(errors.map((e) => e.code)).toEqual(['token_expired']);
      expect(sockets[0].connectCalls).toBe(0);
    });

    it('connects once more without a token (a cookie may have been renewed), and stops when that is refused', async () => {
      const { sockets, errors } = connected();
      sockets[0].serverEmit('error', { code: 'token_expired', message: 'expired' });
      sockets[0].drop();
      await vi.advanceTimersByTimeAsync(0);
      expect(sockets[0].connectCalls).toBe(1);
      expect(sockets[0].handshakes).toEqual([undefined]);
      sockets[0].refuseHandshake('token_expired');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(sockets[0].connectCalls).toBe(1);
      expect(errors.map((e) => e.code)).toEqual(['token_expired', 'token_expired']);
    });

    it('leaves other disconnects and transport failures to Socket.IO', async () => {
      const { token } = tokenCounter();
      const { sockets, errors } = connected({ token });
      // the server disconnects on purpose without a token expiry: no reconnection
      sockets[0].drop('io server disconnect');
      sockets[0].failTransport();
      // an expiry followed by a lost connection: Socket.IO reconnects by itself
      sockets[0].accept();
      sockets[0].serverEmit('error', { code: 'token_expired', message: 'expired' });
      sockets[0].drop('transport close');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(sockets[0].connectCalls).toBe(0);
      expect(errors.map((e) => e.code)).toEqual(['token_expired']);
    });

    it('leaves no timer and makes no connection when closed while a reconnection waits', async () => {
      const { token } = tokenCounter();
      const { consumer, sockets } = make({ token });
      consumer.controlSocket();
      sockets[0].refuseHandshake('unauthorized');
      expect(vi.getTimerCount()).toBe(1);
      consumer.close();
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(sockets[0].connectCalls).toBe(0);
      expect(sockets[0].listenerCount).toBe(0);
    });
  });
});
