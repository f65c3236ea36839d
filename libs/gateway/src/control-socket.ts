import type { Principal, TokenBucket } from '@pulseboard/api';
import type { Connection } from '@pulseboard/core';
import type { ClientToServerEvents, ServerToClientEvents, Viewer } from '@pulseboard/protocol';
import type { Server, Socket } from 'socket.io';

/** What the server keeps on each control socket. */
export interface ControlSocketData {
  principal: Principal;
  /** How this socket appears in presence lists. */
  viewer: Viewer;
  /** Control messages this socket may still send (absent when unlimited). */
  bucket: TokenBucket | undefined;
  /** The socket's own data stream, once it subscribed without a session. */
  connection: Connection | undefined;
  /** Dashboards whose presence room this socket joined. */
  dashboards: Set<string>;
  /** Gives back the socket's connection slot (per address and token). */
  release: () => void;
  /** Cancels the disconnection at the token's expiry. */
  cancelExpiry: () => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no events between instances yet
type InterServerEvents = {};

export type ControlServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, ControlSocketData>;
export type ControlSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, ControlSocketData>;

/** The presence room of a dashboard. */
export function dashboardRoom(dashboard: string): string {
  return `dashboard:${dashboard}`;
}
