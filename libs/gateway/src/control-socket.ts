import type { Principal, TokenBucket } from '@pulseboard/api';
import type { Connection } from '@pulseboard/core';
import type { Ack, ClientToServerEvents, ServerToClientEvents, SubscriptionState, Viewer } from '@pulseboard/protocol';
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

/** A change to an SSE stream that another instance may hold, asked of every instance. */
export interface RemoteSessionChange {
  kind: 'subscribe' | 'unsubscribe';
  session: string;
  /** The asking socket's principal: only the stream's owner may change it. */
  principalId: string;
  feeds: string[];
  historyMs?: number;
  maxRate?: number;
}

/** What instances ask each other (answers come back through the adapter). */
export interface InterServerEvents {
  /** The viewers of a dashboard on the answering instance. */
  viewers: (dashboard: string, answer: (viewers: Viewer[]) => void) => void;
  /** Apply a change to a stream if the answering instance holds it; `null` when it does not. */
  session: (change: RemoteSessionChange, answer: (result: Ack<SubscriptionState> | null) => void) => void;
}

export type ControlServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, ControlSocketData>;
export type ControlSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, ControlSocketData>;

/** The presence room of a dashboard. */
export function dashboardRoom(dashboard: string): string {
  return `dashboard:${dashboard}`;
}
