import { once } from 'node:events';
import { createServer } from 'node:http';
import { Socket as NetSocket, type AddressInfo } from 'node:net';
import { Feed, FeedSlice, Frame } from '@pulseboard/core';
import type { ClientToServerEvents, ServerToClientEvents, SocketPointsEvent } from '@pulseboard/protocol';
import { Server } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { socketServerOptions } from './control-socket.adapter.js';
import type { ControlServer, ControlSocket } from './control-socket.js';
import { deflateParams, queuedPackets, tcpOf, webSocketOf } from './engine-internals.js';
import type { GatewayModuleOptions } from './gateway.options.js';
import { acceptsSharedDeflate } from './socket-frames.js';
import { SocketSink } from './socket.sink.js';

/*
 * The real socket.io server (with the gateway's options) and the real
 * socket.io-client: if engine.io or ws move a member the gateway reads, or
 * read a shared frame differently, this fails.
 */

const OPTIONS: GatewayModuleOptions = {
  pingIntervalMs: 25_000,
  pingTimeoutMs: 20_000,
  maxBufferBytes: 64 * 1024,
  deflate: true,
  deflateThreshold: 1024,
  controlRate: 0,
  controlBurst: 0,
  presenceMaxViewers: 100,
  connectTimeoutMs: 10_000,
};

type Client = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

interface Pair {
  server: ControlSocket;
  client: Client;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A socket.io server on a free port and one client connected to it over WebSocket. */
async function connectedPair(options: Partial<GatewayModuleOptions> = {}): Promise<Pair> {
  const http = createServer();
  const ioServer: ControlServer = new Server(http, socketServerOptions({ ...OPTIONS, ...options }));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  const connection = once(ioServer, 'connection') as Promise<[ControlSocket]>;
  const client: Client = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
  closers.push(async () => {
    client.close();
    await ioServer.close();
  });
  const connected = new Promise<void>((resolve) => client.once('connect', resolve));
  const [[server]] = await Promise.all([connection, connected]);
  return { server, client };
}

/** A frame of `points` points of one feed, as the scheduler makes them. */
function frameOf(cursor: string, points: number): Frame {
  const t = Float64Array.from({ length: points }, (_, i) => 1764230400000 + i);
  const v = Float64Array.from({ length: points }, (_, i) => i / 8);
  return new Frame(cursor, 1, [new FeedSlice(new Feed(1, 'host1.cpu.user', points), t, v)], []);
}

describe('the engine.io and ws members the gateway reads', () => {
  it('find the WebSocket, its TCP socket and its deflate parameters under a socket', async () => {
    const { server } = await connectedPair();
    const ws = webSocketOf(server.conn);
    expect(ws).toBeDefined();
    expect(tcpOf(ws!)).toBeInstanceOf(NetSocket);
    // socket.io-client offers permessage-deflate; the gateway answers with the shared window
    expect(deflateParams(ws!)).toMatchObject({ server_no_context_takeover: true, server_max_window_bits: 10 });
    expect(acceptsSharedDeflate(deflateParams(ws!))).toBe(true);
  });

  it('see the packets engine.io holds while its transport is busy', async () => {
    const { server } = await connectedPair();
    expect(queuedPackets(server.conn)).toBe(0);
    // the first goes to the WebSocket at once, which then takes nothing until its write completes
    server.emit('gap', { feeds: ['a'], reason: 'slow' });
    server.emit('gap', { feeds: ['b'], reason: 'slow' });
    expect(queuedPackets(server.conn)).toBeGreaterThan(0);
  });
});

describe('a shared points frame written under engine.io', () => {
  it.each([
    ['plain', 10],
    ['compressed', 2_000],
  ])('reaches the client’s points handler as the SocketPointsEvent it stands for (%s)', async (_kind, points) => {
    const { server, client } = await connectedPair();
    const sink = new SocketSink(server, { deflate: true, deflateThreshold: OPTIONS.deflateThreshold });
    const frame = frameOf('k3-1f', points);
    const received = new Promise<SocketPointsEvent>((resolve) => client.once('points', resolve));
    expect(sink.isWritable()).toBe(true);
    sink.send({ cursor: frame.cursor, frame });
    const expected: SocketPointsEvent = {
      cursor: 'k3-1f',
      feeds: { 'host1.cpu.user': { t: Array.from(frame.slices[0].t), v: Array.from(frame.slices[0].v) } },
    };
    expect(await received).toEqual(expected);
  });

  it('goes after what engine.io already holds, in order', async () => {
    const { server, client } = await connectedPair();
    const order: string[] = [];
    client.on('gap', () => order.push('gap'));
    const points = new Promise<void>((resolve) =>
      client.once('points', () => {
        order.push('points');
        resolve();
      }),
    );
    const sink = new SocketSink(server, { deflate: true, deflateThreshold: OPTIONS.deflateThreshold });
    server.emit('gap', { feeds: ['a'], reason: 'slow' });
    server.emit('gap', { feeds: ['b'], reason: 'slow' });
    // engine.io still holds the second gap: the frame waits for the next tick
    expect(sink.isWritable()).toBe(false);
    await once(server.conn, 'drain');
    expect(sink.isWritable()).toBe(true);
    const frame = frameOf('k3-20', 1);
    sink.send({ cursor: frame.cursor, frame });
    await points;
    expect(order).toEqual(['gap', 'gap', 'points']);
  });
});
