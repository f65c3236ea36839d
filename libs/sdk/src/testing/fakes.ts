/*
 * Test doubles for the consumer's unit specs. A scripted stream and socket
 * stand in for the network because these specs inject exact timing and
 * failures (a refusal, a silent stream, a lost acknowledgement, a token
 * that expires mid-stream) that a real server cannot be made to produce on
 * cue; the e2e specs in test/ cover the real thing.
 */
import type { Ack, SubscribeMessage, SubscriptionState, UnsubscribeMessage } from '@pulseboard/protocol';
import type { ControlSocket, ControlSocketFactory, ControlSocketOptions } from '../consumer/control-socket.js';
import type { SseConnector, SseEnd, SseHandlers, SseRequest, SseStream } from '../connectors/sse-connector.js';
import { PulseboardError } from '../pulseboard-error.js';

/** One stream the consumer opened, driven by the spec. */
export class FakeStream implements SseStream {
  closed = false;

  constructor(
    readonly request: SseRequest,
    private readonly handlers: SseHandlers,
  ) {}

  /** The `feeds` query parameter, split. */
  get feeds(): string[] {
    const feeds = new URL(this.request.url).searchParams.get('feeds') ?? '';
    return feeds === '' ? [] : feeds.split(',');
  }

  param(name: string): string | null {
    return new URL(this.request.url).searchParams.get(name);
  }

  hello(session = 'session-1', batchMs = 50): void {
    this.handlers.onOpen();
    this.handlers.onMessage({ event: 'hello', data: JSON.stringify({ session, batchMs }) });
  }

  points(cursor: string, feeds: Record<string, { t: number[]; v: number[] }>): void {
    this.handlers.onMessage({ event: 'points', id: cursor, data: JSON.stringify({ feeds }) });
  }

  message(event: string, body: unknown): void {
    this.handlers.onMessage({ event, data: JSON.stringify(body) });
  }

  comment(text = 'hb'): void {
    this.handlers.onComment(text);
  }

  end(end: SseEnd = { reason: 'ended' }): void {
    this.handlers.onEnd(end);
  }

  refuse(status: number, code: string): void {
    this.end({ reason: 'refused', error: new PulseboardError(code, `refused with ${status}`, { status }) });
  }

  break(): void {
    this.end({ reason: 'broken', error: new PulseboardError('network_error', 'connection refused') });
  }

  close(): void {
    this.closed = true;
  }
}

export class FakeSseConnector implements SseConnector {
  readonly streams: FakeStream[] = [];

  constructor(readonly seesComments = true) {}

  open(request: SseRequest, handlers: SseHandlers): SseStream {
    const stream = new FakeStream(request, handlers);
    this.streams.push(stream);
    return stream;
  }

  get last(): FakeStream {
    const stream = this.streams.at(-1);
    if (stream === undefined) throw new Error('no stream was opened');
    return stream;
  }
}

type ControlMessage = SubscribeMessage | UnsubscribeMessage;
type Answer = (event: 'subscribe' | 'unsubscribe', message: ControlMessage) => Ack<SubscriptionState> | undefined;

type SocketListener = (...args: unknown[]) => void;

/**
 * A control socket whose answers the spec decides; `undefined` from `answer`
 * means no acknowledgement ever. Like a `socket.io-client` socket it is
 * connecting once made; the spec then accepts or refuses the handshake.
 */
export class FakeControlSocket {
  connected = false;
  disconnected = false;
  /** Calls of `connect()`: the SDK connecting the socket again. */
  connectCalls = 0;
  /** The token each `connect()` handshake carried, in order. */
  readonly handshakes: (string | undefined)[] = [];
  readonly sent: { event: 'subscribe' | 'unsubscribe'; message: ControlMessage }[] = [];
  answer: Answer = (_event, message) => ({ ok: true, feeds: message.feeds });
  private readonly listeners = new Map<string, Set<SocketListener>>();
  private readonly managerListeners = new Map<string, Set<SocketListener>>();

  constructor(
    readonly url: string,
    readonly options: ControlSocketOptions,
  ) {}

  readonly io = {
    on: (event: string, listener: SocketListener) => add(this.managerListeners, event, listener),
    off: (event: string, listener: SocketListener) => this.managerListeners.get(event)?.delete(listener),
  };

  on(event: string, listener: SocketListener): void {
    add(this.listeners, event, listener);
  }

  off(event: string, listener: SocketListener): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** How many listeners the socket has, over every event. */
  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  timeout(ms: number): {
    emitWithAck: (event: 'subscribe' | 'unsubscribe', message: ControlMessage) => Promise<unknown>;
  } {
    return {
      emitWithAck: (event, message) => {
        this.sent.push({ event, message });
        const ack = this.answer(event, message);
        if (ack !== undefined) return Promise.resolve(ack);
        return new Promise((_, reject) => setTimeout(() => reject(new Error('operation has timed out')), ms));
      },
    };
  }

  disconnect(): void {
    this.disconnected = true;
    this.connected = false;
  }

  /** Starts a new handshake, which asks the `auth` callback for the token, as `socket.io-client` does. */
  connect(): this {
    this.connectCalls++;
    this.options.auth((auth) => this.handshakes.push(auth.token));
    return this;
  }

  /** The server accepted the handshake. */
  accept(): void {
    this.connected = true;
    this.fire('connect');
  }

  /** The server's middleware refused the handshake: `connect_error` with the code as message and `data`. */
  refuseHandshake(code: string, message = `refused: ${code}`): void {
    this.fire('connect_error', Object.assign(new Error(code), { data: { code, message } }));
  }

  /** The transport failed before a handshake (Socket.IO retries that by itself). */
  failTransport(): void {
    this.fire('connect_error', new Error('websocket error'));
  }

  /** The server emitted `event` to this socket. */
  serverEmit(event: string, payload: unknown): void {
    this.fire(event, payload);
  }

  /** The connection closed; `io server disconnect` when the server disconnected the socket. */
  drop(reason = 'io server disconnect'): void {
    this.connected = false;
    this.fire('disconnect', reason);
  }

  ping(): void {
    for (const listener of this.managerListeners.get('ping') ?? []) listener();
  }

  /** The token the handshake would carry. */
  handshakeToken(): Promise<string | undefined> {
    return new Promise((resolve) => this.options.auth((auth) => resolve(auth.token)));
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }
}

function add(map: Map<string, Set<SocketListener>>, event: string, listener: SocketListener): void {
  let set = map.get(event);
  if (set === undefined) {
    set = new Set();
    map.set(event, set);
  }
  set.add(listener);
}

/** A socket factory that keeps what it made. */
export function fakeSocketFactory(): { factory: ControlSocketFactory; sockets: FakeControlSocket[] } {
  const sockets: FakeControlSocket[] = [];
  const factory: ControlSocketFactory = (url, options) => {
    const socket = new FakeControlSocket(url, options);
    sockets.push(socket);
    return socket as unknown as ControlSocket;
  };
  return { factory, sockets };
}
