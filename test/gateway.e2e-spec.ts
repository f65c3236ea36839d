import type { Socket } from 'node:net';
import type { PollResponse, SocketPointsEvent } from '@pulseboard/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { ControlClient } from './support/control-client.js';
import { getJson, ingest } from './support/http.js';
import { Waiters } from './support/waiters.js';
import { startServer, type TestServer } from './support/server.js';
import { SseClient } from './support/sse-client.js';

const points = (feed: string, vs: number[]) => vs.map((v) => ({ feed, v }));
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

describe('Socket.IO control gateway', () => {
  let server: TestServer;
  const sockets: ControlClient[] = [];
  const streams: SseClient[] = [];
  const connect = async (options = {}): Promise<ControlClient> => {
    const client = await ControlClient.connect(server.url, options);
    sockets.push(client);
    return client;
  };
  const openStream = async (query: string, localAddress?: string): Promise<{ client: SseClient; session: string }> => {
    const client = await SseClient.open(`${server.url}/api/v1/stream?${query}`, {}, { localAddress });
    streams.push(client);
    await client.until((c) => c.named('hello').length === 1);
    return { client, session: (JSON.parse(client.named('hello')[0].data) as { session: string }).session };
  };

  beforeAll(async () => {
    server = await startServer({ MAX_SUBSCRIPTIONS: '5', CONTROL_RATE: '1000' });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => {
    await server.close();
  });

  describe('data on the socket', () => {
    it('acknowledges subscribe with the feeds and a cursor, then sends points batched with a cursor', async () => {
      const socket = await connect();
      const ack = await socket.ack('subscribe', { feeds: ['g1.a', 'g1.b'] });
      expect(ack).toMatchObject({ ok: true, feeds: ['g1.a', 'g1.b'] });
      expect(ack.cursor).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);
      await ingest(server.url, [
        { feed: 'g1.a', t: 1000, v: 1 },
        { feed: 'g1.b', t: 1001, v: 2 },
        { feed: 'g1.a', t: 1002, v: 3 },
        { feed: 'g1.other', t: 1003, v: 4 },
      ]);
      await socket.untilValues('g1.a', 2);
      const [event] = socket.named('points');
      expect(event.cursor).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);
      expect(event.feeds).toEqual({ 'g1.a': { t: [1000, 1002], v: [1, 3] }, 'g1.b': { t: [1001], v: [2] } });
    });

    it('sends points that socket.io-client reads as exactly the SocketPointsEvent a poll describes', async () => {
      const socket = await connect();
      const ack = await socket.ack('subscribe', { feeds: ['typed.>'] });
      await ingest(server.url, [
        { feed: 'typed.a', t: 1764230400000, v: 0.1 },
        { feed: 'typed.b', t: 1764230400001, v: -2.5e-7 },
        { feed: 'typed.a', t: 1764230400002, v: 1e21 },
      ]);
      // the same points after the same cursor, read over HTTP: the cursor the socket's event must carry
      const poll = await getJson<PollResponse>(
        `${server.url}/api/v1/poll?feeds=typed.%3E&cursor=${String(ack.cursor)}`,
      );
      const expected: SocketPointsEvent = { cursor: poll.body.cursor, feeds: poll.body.feeds };
      expect(expected.feeds).toEqual({
        'typed.a': { t: [1764230400000, 1764230400002], v: [0.1, 1e21] },
        'typed.b': { t: [1764230400001], v: [-2.5e-7] },
      });
      await socket.untilValues('typed.a', 2);
      expect(socket.named('points')).toEqual([expected]);
    });

    it('delivers many batches in order, each point once', async () => {
      const socket = await connect();
      await socket.ack('subscribe', { feeds: ['g2.>'] });
      for (let i = 0; i < 20; i++) await ingest(server.url, points('g2.x', range(i * 50, 50)));
      await socket.untilValues('g2.x', 1000);
      expect(socket.values('g2.x')).toEqual(range(0, 1000));
      // batched: far fewer events than ingest requests' points
      expect(socket.named('points').length).toBeLessThanOrEqual(20);
    });

    it('stops a feed’s data after unsubscribe and keeps the others', async () => {
      const socket = await connect();
      await socket.ack('subscribe', { feeds: ['g3.a', 'g3.b'] });
      await ingest(server.url, [...points('g3.a', [1]), ...points('g3.b', [2])]);
      await socket.untilValues('g3.b', 1);
      const ack = await socket.ack('unsubscribe', { feeds: ['g3.a'] });
      expect(ack).toMatchObject({ ok: true, feeds: ['g3.b'] });
      await ingest(server.url, [...points('g3.a', [3]), ...points('g3.b', [4])]);
      await socket.untilValues('g3.b', 2);
      expect(socket.values('g3.a')).toEqual([1]);
      expect(socket.values('g3.b')).toEqual([2, 4]);
    });

    it('resumes after a cursor like Last-Event-ID: exactly the points after it', async () => {
      const first = await connect();
      await first.ack('subscribe', { feeds: ['g4.x'] });
      await ingest(server.url, points('g4.x', [1, 2, 3]));
      await first.untilValues('g4.x', 3);
      const cursor = first.lastCursor();
      first.close();
      await ingest(server.url, points('g4.x', [4, 5]));
      const second = await connect();
      const ack = await second.ack('subscribe', { feeds: ['g4.x'], cursor });
      expect(ack.ok).toBe(true);
      await second.untilValues('g4.x', 2);
      await ingest(server.url, points('g4.x', [6]));
      await second.untilValues('g4.x', 3);
      expect(second.values('g4.x')).toEqual([4, 5, 6]);
    });

    it('sends history for feeds added later, then live points, none twice', async () => {
      await ingest(server.url, points('g5.b', [1, 2]));
      const socket = await connect();
      await socket.ack('subscribe', { feeds: ['g5.a'] });
      await ingest(server.url, points('g5.a', [3]));
      await socket.untilValues('g5.a', 1);
      await socket.ack('subscribe', { feeds: ['g5.b'], history: 60_000 });
      await socket.untilValues('g5.b', 2);
      await ingest(server.url, [...points('g5.a', [4]), ...points('g5.b', [5])]);
      await socket.untilValues('g5.b', 3);
      expect(socket.values('g5.b')).toEqual([1, 2, 5]);
      expect(socket.values('g5.a')).toEqual([3, 4]);
    });
  });

  describe('steering an SSE stream', () => {
    it('adds and removes feeds of the stream its hello names, without reconnecting', async () => {
      const { client, session } = await openStream('feeds=s.a');
      const socket = await connect();
      expect(await socket.ack('subscribe', { feeds: ['s.b'], session })).toEqual({ ok: true, feeds: ['s.a', 's.b'] });
      await ingest(server.url, [...points('s.a', [1]), ...points('s.b', [2])]);
      await client.untilPoints('s.b', 1);
      expect(await socket.ack('unsubscribe', { feeds: ['s.a'], session })).toEqual({ ok: true, feeds: ['s.b'] });
      await ingest(server.url, [...points('s.a', [3]), ...points('s.b', [4])]);
      await client.untilPoints('s.b', 2);
      expect(client.points('s.a').v).toEqual([1]);
      expect(client.points('s.b').v).toEqual([2, 4]);
      // the stream stayed the same one, and the socket itself got no data
      expect(client.named('hello')).toHaveLength(1);
      expect(socket.named('points')).toEqual([]);
    });

    it('answers session_not_found for a session no stream has', async () => {
      const socket = await connect();
      const ack = await socket.ack('subscribe', { feeds: ['x'], session: 'no-such-session' });
      expect(ack).toMatchObject({ ok: false, error: { code: 'session_not_found' } });
    });

    it('refuses to steer another client’s stream', async () => {
      // the stream comes from another loopback address: another anonymous client
      const { client, session } = await openStream('feeds=o.a', '127.0.0.2');
      const socket = await connect();
      const ack = await socket.ack('subscribe', { feeds: ['o.secret'], session });
      expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await socket.ack('unsubscribe', { feeds: ['o.a'], session })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
      await ingest(server.url, [...points('o.secret', [1]), ...points('o.a', [2])]);
      await client.untilPoints('o.a', 1);
      expect(client.points('o.secret').v).toEqual([]);
    });
  });

  describe('bad messages', () => {
    const cases: [string, string, unknown[], string][] = [
      ['no payload', 'subscribe', [], 'invalid_message'],
      ['a string payload', 'subscribe', ['g.a'], 'invalid_message'],
      ['feeds not an array', 'subscribe', [{ feeds: 'g.a' }], 'invalid_message'],
      ['feeds of numbers', 'subscribe', [{ feeds: [1, 2] }], 'invalid_message'],
      ['an empty feed list', 'subscribe', [{ feeds: [] }], 'invalid_message'],
      ['an invalid pattern', 'subscribe', [{ feeds: ['a..b'] }], 'invalid_pattern'],
      ['a pattern with > inside', 'subscribe', [{ feeds: ['a.>.b'] }], 'invalid_pattern'],
      ['a huge feed list', 'subscribe', [{ feeds: range(0, 5000).map((i) => `f${i}`) }], 'too_many_subscriptions'],
      ['history of the wrong type', 'subscribe', [{ feeds: ['a'], history: 'all' }], 'invalid_message'],
      ['a negative maxRate', 'subscribe', [{ feeds: ['a'], maxRate: -1 }], 'invalid_message'],
      ['an unknown key', 'subscribe', [{ feeds: ['a'], feed: 'a' }], 'invalid_message'],
      ['a malformed cursor', 'subscribe', [{ feeds: ['a'], cursor: 'nope' }], 'invalid_cursor'],
      ['session and cursor together', 'subscribe', [{ feeds: ['a'], session: 's', cursor: '1-1' }], 'invalid_message'],
      ['two payloads', 'subscribe', [{ feeds: ['a'] }, { feeds: ['b'] }], 'invalid_message'],
      ['unsubscribe without feeds', 'unsubscribe', [{}], 'invalid_message'],
      ['join without a dashboard', 'join', [{}], 'invalid_dashboard'],
      ['join with a bad dashboard id', 'join', [{ dashboard: 'a b' }], 'invalid_dashboard'],
      ['leave with a numeric dashboard', 'leave', [{ dashboard: 7 }], 'invalid_dashboard'],
      ['annotate without text', 'annotate', [{ dashboard: 'd', t: 1 }], 'invalid_message'],
      ['annotate with a bad time', 'annotate', [{ dashboard: 'd', t: 'noon', text: 'x' }], 'invalid_message'],
      ['annotate with a bad feed', 'annotate', [{ dashboard: 'd', t: 1, text: 'x', feed: 'a b' }], 'invalid_feed_name'],
      ['annotate with a huge text', 'annotate', [{ dashboard: 'd', t: 1, text: 'x'.repeat(3000) }], 'invalid_message'],
      ['an unknown event', 'explode', [{}], 'unknown_event'],
      ['a prototype key', 'subscribe', [JSON.parse('{"feeds":["a"],"__proto__":{"x":1}}')], 'invalid_message'],
    ];
    it.each(cases)('answers %s with its code and keeps the socket', async (_name, event, args, code) => {
      const socket = await connect();
      const ack = await socket.ack(event, ...args);
      expect(ack).toMatchObject({ ok: false, error: { code } });
      expect(typeof (ack as { error: { message: string } }).error.message).toBe('string');
      // the socket still works
      expect(await socket.ack('subscribe', { feeds: ['ok.after'] })).toMatchObject({ ok: true });
    });

    it('answers too_many_subscriptions when adding past the limit', async () => {
      const socket = await connect();
      expect(await socket.ack('subscribe', { feeds: ['l.1', 'l.2', 'l.3'] })).toMatchObject({ ok: true });
      const ack = await socket.ack('subscribe', { feeds: ['l.4', 'l.5', 'l.6'] });
      expect(ack).toMatchObject({ ok: false, error: { code: 'too_many_subscriptions' } });
      expect(await socket.ack('subscribe', { feeds: ['l.4', 'l.5'] })).toMatchObject({
        ok: true,
        feeds: ['l.1', 'l.2', 'l.3', 'l.4', 'l.5'],
      });
    });

    it('disconnects only the socket that sends more than the message size limit', async () => {
      const bystander = await connect();
      await bystander.ack('subscribe', { feeds: ['big.ok'] });
      const offender = await connect();
      // no acknowledgement can come: the server closes the connection on the oversized message
      (offender.socket.emit as (event: string, payload: unknown) => void)('subscribe', {
        feeds: ['a'],
        padding: 'x'.repeat(70 * 1024),
      });
      await offender.untilDisconnected();
      await ingest(server.url, points('big.ok', [1]));
      await bystander.untilValues('big.ok', 1);
      expect(bystander.disconnectReason).toBeUndefined();
    });
  });

  describe('presence', () => {
    it('tells the room who is there on join, leave and disconnect', async () => {
      const alice = await connect({ auth: { name: 'Alice' } });
      const bob = await connect({ auth: { name: 'Bob' } });
      const joined = await alice.ack('join', { dashboard: 'p1' });
      expect(joined).toMatchObject({ ok: true, dashboard: 'p1', viewers: [{ name: 'Alice' }], count: 1 });
      const aliceId = (joined.viewers as { id: string }[])[0].id;
      expect(aliceId).toMatch(/^anon-[0-9a-f]+$/);

      await bob.ack('join', { dashboard: 'p1' });
      await alice.until((c) => c.named('presence').length === 1, 'presence after bob joined');
      expect(alice.named('presence')[0].viewers.map((v) => v.name)).toEqual(['Alice', 'Bob']);
      expect(alice.named('presence')[0].count).toBe(2);

      bob.close();
      await alice.until((c) => c.named('presence').length === 2, 'presence after bob left');
      expect(alice.named('presence')[1]).toEqual({
        dashboard: 'p1',
        viewers: [{ id: aliceId, name: 'Alice' }],
        count: 1,
      });

      const carol = await connect();
      await carol.ack('join', { dashboard: 'p1' });
      await alice.until((c) => c.named('presence').length === 3, 'presence after carol joined');
      expect(await carol.ack('leave', { dashboard: 'p1' })).toEqual({ ok: true });
      await alice.until((c) => c.named('presence').length === 4, 'presence after carol left');
      expect(alice.named('presence')[3].viewers).toEqual([{ id: aliceId, name: 'Alice' }]);
      // another dashboard's room hears nothing of this one
      expect(carol.named('presence').every((p) => p.dashboard === 'p1')).toBe(true);
    });
  });

  describe('annotations', () => {
    it('stores, acknowledges with an id, broadcasts to the room and lists over HTTP', async () => {
      const saved = await fetch(`${server.url}/api/v1/dashboards/a1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'A1', window: '5m', panels: [] }),
      });
      expect(saved.status).toBe(201);
      const viewer = await connect({ auth: { name: 'Viewer' } });
      await viewer.ack('join', { dashboard: 'a1' });
      const author = await connect({ auth: { name: 'Dana' } });
      const ack = await author.ack('annotate', { dashboard: 'a1', t: 5000, text: 'deploy v2', feed: 'api.latency' });
      expect(ack).toMatchObject({ ok: true });
      const id = ack.id as string;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await viewer.until((c) => c.named('annotation').length === 1, 'annotation');
      const expected = { id, dashboard: 'a1', t: 5000, text: 'deploy v2', feed: 'api.latency', author: 'Dana' };
      expect(viewer.named('annotation')[0]).toEqual(expected);
      const listed = await fetch(`${server.url}/api/v1/dashboards/a1/annotations?from=4000&to=6000`);
      expect(await listed.json()).toEqual([expected]);
    });
  });
});

describe('Socket.IO control limits', () => {
  it('answers rate_limited past the control message budget, then recovers', async () => {
    const server = await startServer({ CONTROL_RATE: '5', CONTROL_BURST: '5' });
    const socket = await ControlClient.connect(server.url);
    try {
      const acks = await Promise.all(range(0, 8).map((i) => socket.ack('subscribe', { feeds: [`r.${i}`] })));
      expect(acks.filter((a) => a.ok)).toHaveLength(5);
      expect(acks.filter((a) => !a.ok).map((a) => (a.ok ? '' : a.error.code))).toEqual(Array(3).fill('rate_limited'));
      expect(socket.disconnectReason).toBeUndefined();
    } finally {
      socket.close();
      await server.close();
    }
  });
});

/** A bare engine.io WebSocket speaking Socket.IO packets by hand: it can stay silent when pinged. */
class RawSocket {
  readonly messages: string[] = [];
  closed = false;
  private readonly waiters = new Waiters();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.messages.push(data.toString('utf8'));
      this.notify();
    });
    ws.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<RawSocket> {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, options);
    const socket = new RawSocket(ws);
    await socket.until((s) => s.messages.some((m) => m.startsWith('0{')));
    ws.send('40');
    await socket.until((s) => s.messages.some((m) => m.startsWith('40{')));
    return socket;
  }

  until(condition: (s: RawSocket) => boolean, timeoutMs = 10_000): Promise<void> {
    return this.waiters.until(
      () => condition(this),
      () => `a message; got ${this.messages.join(' | ')}`,
      timeoutMs,
    );
  }

  /** Payloads of the `points` events received so far. */
  points(): { cursor: string; feeds: Record<string, { t: number[]; v: number[] }> }[] {
    return this.messages
      .filter((m) => m.startsWith('42["points"'))
      .map(
        (m) =>
          (
            JSON.parse(m.slice(2)) as [string, { cursor: string; feeds: Record<string, { t: number[]; v: number[] }> }]
          )[1],
      );
  }

  close(): void {
    this.ws.terminate();
  }

  private notify(): void {
    this.waiters.notify();
  }
}

async function connectionCount(url: string, transport: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`pulseboard_connections\\{transport="${transport}"\\} (\\d+)`).exec(text);
  return match === null ? 0 : Number(match[1]);
}

describe('Socket.IO transport', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SOCKET_PING_INTERVAL_MS: '200', SOCKET_PING_TIMEOUT_MS: '300' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('drops a socket that stops answering pings and releases its subscription', async () => {
    const silent = await RawSocket.connect(server.url);
    silent.ws.send('420["subscribe",{"feeds":["dead.x"]}]');
    await silent.until((s) => s.messages.some((m) => m.startsWith('430[{"ok":true')));
    expect(await connectionCount(server.url, 'socketio')).toBe(1);
    // it never answers the server's pings ("2"), so the server gives up after interval + timeout
    await silent.until((s) => s.closed);
    expect(silent.messages).toContain('2');
    expect(await connectionCount(server.url, 'socketio')).toBe(0);
  });

  it('sends large points events compressed once for every socket, and they read back exactly', async () => {
    const compressed = await RawSocket.connect(server.url, { perMessageDeflate: true });
    const plain = await RawSocket.connect(server.url, { perMessageDeflate: false });
    try {
      expect(compressed.ws.extensions).toContain('permessage-deflate');
      expect(plain.ws.extensions).toBe('');
      for (const socket of [compressed, plain]) {
        socket.ws.send('420["subscribe",{"feeds":["z.>"]}]');
        await socket.until((s) => s.messages.some((m) => m.startsWith('430[{"ok":true')));
      }
      const before = [compressed, plain].map((s) => (s.ws as unknown as { _socket: Socket })._socket.bytesRead);
      const batch = range(0, 2000).map((i) => ({ feed: `z.f${i % 20}`, t: 1_700_000_000_000 + i, v: i / 8 }));
      await ingest(server.url, batch);
      const count = (s: RawSocket): number =>
        s.points().reduce((n, p) => n + Object.values(p.feeds).reduce((m, f) => m + f.v.length, 0), 0);
      await compressed.until((s) => count(s) === 2000);
      await plain.until((s) => count(s) === 2000);
      expect(compressed.points()).toEqual(plain.points());
      const [deflatedBytes, plainBytes] = [compressed, plain].map(
        (s, i) => (s.ws as unknown as { _socket: Socket })._socket.bytesRead - before[i],
      );
      expect(deflatedBytes).toBeLessThan(plainBytes / 2);
    } finally {
      compressed.close();
      plain.close();
    }
  });

  it('serves points over long-polling too', async () => {
    const socket = await ControlClient.connect(server.url, { transports: ['polling'] });
    try {
      await socket.ack('subscribe', { feeds: ['lp.x'] });
      await ingest(server.url, points('lp.x', [1, 2, 3]));
      await socket.untilValues('lp.x', 3);
      await ingest(server.url, points('lp.x', [4]));
      await socket.untilValues('lp.x', 4);
      expect(socket.values('lp.x')).toEqual([1, 2, 3, 4]);
    } finally {
      socket.close();
    }
  });
});
