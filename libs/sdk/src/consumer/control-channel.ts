import type { Ack, SubscribeMessage, SubscriptionState, UnsubscribeMessage } from '@pulseboard/protocol';
import { readToken, type TokenSource } from '../platform.js';
import { PulseboardError } from '../pulseboard-error.js';
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
  hooks: ControlChannelHooks;
}

/**
 * The consumer's control socket, opened on first use. Its reconnection is
 * Socket.IO's own; a change sent while it is reconnecting waits in its
 * buffer, bounded by the acknowledgement timeout.
 */
export class ControlChannel {
  private current: ControlSocket | undefined;
  private readonly listeners: { onPing: () => void; onConnect: () => void; onDisconnect: () => void };

  constructor(private readonly options: ControlChannelOptions) {
    const { hooks } = options;
    this.listeners = {
      onPing: () => hooks.onPing(),
      onConnect: () => hooks.onConnect(),
      onDisconnect: () => hooks.onDisconnect(),
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
    const socket = this.current;
    if (socket === undefined) return;
    this.current = undefined;
    const { onPing, onConnect, onDisconnect } = this.listeners;
    socket.io.off('ping', onPing);
    socket.off('connect', onConnect);
    socket.off('disconnect', onDisconnect);
    socket.disconnect();
  }

  private openSocket(): ControlSocket {
    const { factory, url, path } = this.options;
    const socket = factory(url, { path, auth: (callback) => this.authenticate(callback) });
    const { onPing, onConnect, onDisconnect } = this.listeners;
    socket.io.on('ping', onPing);
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    return socket;
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
