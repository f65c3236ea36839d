import type { Ack, ControlError, SubscribeMessage, SubscriptionState, UnsubscribeMessage } from '@pulseboard/protocol';
import type { Socket } from 'socket.io-client';
import type { Backoff } from '../backoff.js';
import { readToken, type TimerHandle, type Timers, type TokenSource } from '../platform.js';
import { PulseboardError, tokenProblem } from '../pulseboard-error.js';
import type { ControlSocket, ControlSocketAuth, ControlSocketFactory } from './control-socket.js';

/** What the channel tells its consumer. */
export interface ControlChannelHooks {
  /** The server pinged the socket: the connection to the server is alive. */
  onPing(): void;
  onConnect(): void;
  onDisconnect(): void;
  onError(error: PulseboardError): void;
}

export interface ControlChannelOptions {
  factory: ControlSocketFactory;
  url: string;
  path: string;
  token: TokenSource | undefined;
  ackTimeoutMs: number;
  /** Delays between reconnections after the server refused the socket's token. */
  backoff: Backoff;
  timers: Timers;
  hooks: ControlChannelHooks;
}

/** The codes a refused handshake carries in `err.message` (and `err.data.code`). */
const HANDSHAKE_REFUSALS: ReadonlySet<string> = new Set([
  'unauthorized',
  'invalid_token',
  'token_expired',
  'forbidden',
  'too_many_connections',
]);

/**
 * The server's reason when its middleware refused the handshake; `undefined`
 * for a transport failure, which Socket.IO retries by itself.
 */
function handshakeRefusal(error: Error): { code: string; message: string } | undefined {
  const data: unknown = (error as Error & { data?: unknown }).data;
  if (typeof data === 'object' && data !== null) {
    const { code, message } = data as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return { code, message: typeof message === 'string' ? message : error.message };
  }
  return HANDSHAKE_REFUSALS.has(error.message) ? { code: error.message, message: error.message } : undefined;
}

/** The socket's listeners, kept to be removed when the socket is closed. */
interface SocketListeners {
  onPing: () => void;
  onConnect: () => void;
  onDisconnect: (reason: Socket.DisconnectReason) => void;
  onConnectError: (error: Error) => void;
  onServerError: (error: ControlError) => void;
}

/**
 * The consumer's control socket, opened on first use. Its reconnection after
 * a network failure is Socket.IO's own; a change sent while it is
 * reconnecting waits in its buffer, bounded by the acknowledgement timeout.
 *
 * Socket.IO does not reconnect after the server refused the handshake or
 * disconnected the socket on purpose. When that was about the token (the
 * server's `error` event `token_expired` before its disconnect, or a refused
 * handshake `token_expired`, `invalid_token` or `unauthorized`) and a token
 * callback can give a fresh one, the channel connects the socket again: at
 * once the first time since the last connection, then after backoff delays.
 * Every handshake asks the callback, so the new connection carries a new
 * token. Without a token, an expiry is answered with one new handshake, for
 * a cookie the page may have renewed; a fixed token is not tried again.
 * Rooms joined on the socket are left with the old connection: the
 * `connect` event is the place to join them again.
 */
export class ControlChannel {
  private current: ControlSocket | undefined;
  private readonly listeners: SocketListeners;
  /** Only a token callback can give a token other than the one refused in a handshake. */
  private readonly tokenRenewable: boolean;
  /** The server said the token expired; its disconnect that follows is answered with a new connection. */
  private tokenExpired = false;
  /** A reconnection was made at once since the last connection; the next ones wait a backoff delay. */
  private reconnectedAtOnce = false;
  private reconnectTimer: TimerHandle | undefined;

  constructor(private readonly options: ControlChannelOptions) {
    const { hooks } = options;
    this.tokenRenewable = typeof options.token === 'function';
    this.listeners = {
      onPing: () => hooks.onPing(),
      onConnect: () => this.onConnect(),
      onDisconnect: (reason) => this.onDisconnect(reason),
      onConnectError: (error) => this.onConnectError(error),
      onServerError: (error) => this.onServerError(error),
    };
  }

  /** The socket, opened now if it was not open. */
  get socket(): ControlSocket {
    this.current ??= this.openSocket();
    return this.current;
  }

  /** Opens the socket now, if it was not open. */
  open(): void {
    this.current ??= this.openSocket();
  }

  get connected(): boolean {
    return this.current?.connected ?? false;
  }

  /** Sends `subscribe`; resolves with the server's answer, or `undefined` when none came in time. */
  subscribe(message: SubscribeMessage): Promise<Ack<SubscriptionState> | undefined> {
    return this.socket
      .timeout(this.options.ackTimeoutMs)
      .emitWithAck('subscribe', message)
      .catch(() => undefined);
  }

  /** Sends `unsubscribe`; resolves with the server's answer, or `undefined` when none came in time. */
  unsubscribe(message: UnsubscribeMessage): Promise<Ack<SubscriptionState> | undefined> {
    return this.socket
      .timeout(this.options.ackTimeoutMs)
      .emitWithAck('unsubscribe', message)
      .catch(() => undefined);
  }

  close(): void {
    this.cancelReconnect();
    const socket = this.current;
    if (socket === undefined) return;
    this.current = undefined;
    const { onPing, onConnect, onDisconnect, onConnectError, onServerError } = this.listeners;
    socket.io.off('ping', onPing);
    socket.off('connect', onConnect);
    socket.off('disconnect', onDisconnect);
    socket.off('connect_error', onConnectError);
    socket.off('error', onServerError);
    socket.disconnect();
  }

  private openSocket(): ControlSocket {
    const { factory, url, path } = this.options;
    this.tokenExpired = false;
    this.reconnectedAtOnce = false;
    this.options.backoff.reset();
    const socket = factory(url, { path, auth: (callback) => this.authenticate(callback) });
    const { onPing, onConnect, onDisconnect, onConnectError, onServerError } = this.listeners;
    socket.io.on('ping', onPing);
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.on('error', onServerError);
    return socket;
  }

  private onConnect(): void {
    this.cancelReconnect();
    this.tokenExpired = false;
    this.reconnectedAtOnce = false;
    this.options.backoff.reset();
    this.options.hooks.onConnect();
  }

  private onDisconnect(reason: Socket.DisconnectReason): void {
    const expired = this.tokenExpired;
    this.tokenExpired = false;
    this.options.hooks.onDisconnect();
    // the same fixed token would be refused again; a callback (or a renewed cookie) can make the next handshake
    // valid. Any other disconnect by the server is on purpose; Socket.IO itself reconnects after the rest.
    if (expired && reason === 'io server disconnect' && typeof this.options.token !== 'string') {
      this.reconnect('stale');
    }
  }

  private onServerError(error: ControlError): void {
    if (error.code === 'token_expired') this.tokenExpired = true;
    this.options.hooks.onError(new PulseboardError(error.code, error.message));
  }

  private onConnectError(error: Error): void {
    const refusal = handshakeRefusal(error);
    if (refusal === undefined) return;
    this.options.hooks.onError(new PulseboardError(refusal.code, refusal.message));
    const problem = tokenProblem(refusal.code);
    if (this.tokenRenewable && problem !== undefined) this.reconnect(problem);
  }

  /**
   * Connects the socket again after a token refusal, the handshake asking
   * the token callback for a fresh token. A stale token is replaced at once
   * the first time; a missing one (the callback may not have had one yet)
   * and every later try wait a backoff delay. Even the first try waits for
   * a timer tick, so that Socket.IO has finished closing the connection.
   */
  private reconnect(problem: 'stale' | 'missing'): void {
    if (this.reconnectTimer !== undefined) return;
    const atOnce = !this.reconnectedAtOnce && problem === 'stale';
    if (atOnce) this.reconnectedAtOnce = true;
    const delayMs = atOnce ? 0 : this.options.backoff.next();
    const socket = this.current;
    this.reconnectTimer = this.options.timers.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.current === socket) socket?.connect();
    }, delayMs);
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer === undefined) return;
    this.options.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private authenticate(callback: (auth: ControlSocketAuth) => void): void {
    const fail = (error: unknown): void => {
      this.options.hooks.onError(
        new PulseboardError('token_unavailable', 'the token callback failed for the control socket', { cause: error }),
      );
      callback({});
    };
    try {
      const token = readToken(this.options.token);
      if (token instanceof Promise) token.then((value) => callback({ token: value }), fail);
      else callback(token === undefined ? {} : { token });
    } catch (error) {
      fail(error);
    }
  }
}
