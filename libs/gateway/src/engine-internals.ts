import type { Socket as NetSocket } from 'node:net';
import type { ControlSocket } from './control-socket.js';

/*
 * Everything the gateway reads of engine.io and ws beyond their public API,
 * and nowhere else. The socket sink writes a tick's shared `points` frame
 * straight to the TCP socket under each WebSocket — one buffer, encoded and
 * compressed once for every socket — instead of one Socket.IO encoding and
 * one compression per socket, and that takes four private members:
 *
 * - engine.io's socket: `writeBuffer` (packets waiting for the transport; a
 *   shared frame must not overtake an ack or a presence event) and, on the
 *   websocket transport, `socket` (the `ws` WebSocket);
 * - ws's WebSocket: `_socket` (its TCP socket: to write the frame and to see
 *   whether it drains) and `_extensions` (the permessage-deflate parameters
 *   agreed, which decide whether the shared compressed frame suits it).
 *
 * engine.io reaches into the same ws members for its own pre-encoded frames.
 * `engine-internals.spec.ts` runs the real socket.io server and client and
 * fails when any of these moves; read it before upgrading socket.io or ws.
 */

/** The engine.io socket under a Socket.IO socket. */
export type EngineConnection = ControlSocket['conn'];

/** The members of a ws WebSocket read here. */
export interface WebSocketInternals {
  _socket?: NetSocket | null;
  _extensions?: Record<string, { params?: Record<string, unknown> } | undefined>;
}

/** The members of an engine.io socket read here. */
interface EngineSocketInternals {
  writeBuffer: readonly unknown[];
  transport: { name: string; socket?: WebSocketInternals };
}

function internals(conn: EngineConnection): EngineSocketInternals {
  return conn as unknown as EngineSocketInternals;
}

/** How many packets engine.io holds for the transport: a shared frame must wait until they are out. */
export function queuedPackets(conn: EngineConnection): number {
  return internals(conn).writeBuffer.length;
}

/** The WebSocket under an engine.io socket once it has upgraded to one (long-polling has none). */
export function webSocketOf(conn: EngineConnection): WebSocketInternals | undefined {
  const transport = internals(conn).transport;
  return transport.name === 'websocket' ? transport.socket : undefined;
}

/** The TCP socket under a WebSocket, until the WebSocket is closed. */
export function tcpOf(ws: WebSocketInternals): NetSocket | undefined {
  return ws._socket ?? undefined;
}

/** The permessage-deflate parameters a WebSocket agreed on, when it agreed on the extension. */
export function deflateParams(ws: WebSocketInternals): Record<string, unknown> | undefined {
  return ws._extensions?.['permessage-deflate']?.params;
}
