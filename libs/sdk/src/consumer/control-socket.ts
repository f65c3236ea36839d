import type { ClientToServerEvents, ServerToClientEvents } from '@pulseboard/protocol';
import { io, type Socket } from 'socket.io-client';

/** The Socket.IO control socket, typed with the protocol's event maps. */
export type ControlSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the handshake carries: the token, when there is one. */
export interface ControlSocketAuth {
  token?: string;
}

export interface ControlSocketOptions {
  /** The engine path: `/socket.io` under the server's base path. */
  path: string;
  /** Called before every (re)connection of the socket, so a token callback is asked each time. */
  auth: (callback: (auth: ControlSocketAuth) => void) => void;
}

/** Opens the control socket; `url` is the server's origin. */
export type ControlSocketFactory = (url: string, options: ControlSocketOptions) => ControlSocket;

/**
 * `socket.io-client` over WebSocket only: the stream already works over plain
 * HTTP, so long-polling would add sticky-session needs for no gain. Each
 * consumer gets its own connection (`forceNew`), so closing one does not
 * touch another's socket or token.
 */
export const openControlSocket: ControlSocketFactory = (url, options) =>
  io(url, { path: options.path, auth: options.auth, transports: ['websocket'], forceNew: true });
