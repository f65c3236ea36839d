import type { CloseReason, Delivery, DeliverySink } from '@pulseboard/core';
import type { GapEvent } from '@pulseboard/protocol';
import type { ControlSocket } from './control-socket.js';
import { acceptsSharedDeflate, pointsPacket, SharedPacket, type WebSocketInternals } from './socket-frames.js';

export interface SocketSinkOptions {
  /** Whether compressed frames may be sent to sockets that negotiated permessage-deflate. */
  deflate: boolean;
  /** Packets smaller than this go out uncompressed (bytes). */
  deflateThreshold: number;
}

/**
 * A Socket.IO socket's own data stream as a delivery target. A `points`
 * packet is encoded, and compressed, once per frame and the same buffer is
 * written to every WebSocket that gets the frame, bypassing the per-socket
 * Socket.IO encoder and zlib context (which would cost a compression per
 * socket per tick). Long-polling sockets get the same packet text through
 * engine.io. The scheduler asks `isWritable()` first, so nothing piles up for
 * a socket that is not draining.
 */
export class SocketSink implements DeliverySink {
  readonly transport = 'socketio';
  /** The WebSocket whose negotiation `sharedDeflate` describes (a socket upgrades at most once). */
  private negotiatedFor: WebSocketInternals | undefined;
  private sharedDeflate = false;

  constructor(
    private readonly socket: ControlSocket,
    private readonly options: SocketSinkOptions,
  ) {}

  isWritable(): boolean {
    const conn = this.socket.conn;
    // anything engine.io still holds (an ack, a presence event) goes first
    if (conn.readyState !== 'open' || (conn as unknown as EngineSocketInternals).writeBuffer.length > 0) return false;
    const ws = this.webSocket();
    if (ws === undefined) return true;
    const tcp = ws._socket;
    return tcp !== undefined && tcp !== null && !tcp.destroyed && !tcp.writableNeedDrain;
  }

  send(delivery: Delivery): number {
    let bytes = 0;
    if (delivery.gap !== undefined) bytes += this.write(gapPacket(delivery.gap));
    if (delivery.frame !== undefined) bytes += this.write(pointsPacket(delivery.frame));
    return bytes;
  }

  /** Socket.IO's own ping keeps the socket alive; nothing to add. */
  heartbeat(): void {}

  close(reason: CloseReason): void {
    const tcp = this.webSocket()?._socket;
    if ((reason === 'slow' || reason === 'error') && tcp !== undefined && tcp !== null) {
      // nothing more can reach it: a closing handshake would wait behind the stalled data
      tcp.destroy();
      return;
    }
    this.socket.disconnect(true);
  }

  /** Writes a shared packet; returns its bytes as written (the WebSocket frame, compressed when it is). */
  private write(packet: SharedPacket): number {
    const ws = this.webSocket();
    const tcp = ws?._socket;
    if (ws === undefined || tcp === undefined || tcp === null) {
      this.socket.conn.write(packet.packet);
      return packet.size;
    }
    if (this.negotiatedFor !== ws) {
      this.negotiatedFor = ws;
      this.sharedDeflate = this.options.deflate && acceptsSharedDeflate(ws);
    }
    const compress = this.sharedDeflate && packet.size >= this.options.deflateThreshold;
    const frame = compress ? packet.deflated() : packet.plain();
    tcp.write(frame);
    return frame.length;
  }

  /** The WebSocket under this socket, when it has upgraded to one. */
  private webSocket(): WebSocketInternals | undefined {
    const transport = this.socket.conn.transport as { name: string; socket?: WebSocketInternals };
    return transport.name === 'websocket' ? transport.socket : undefined;
  }
}

/** engine.io's queue of packets waiting for the transport (declared private, read-only here). */
interface EngineSocketInternals {
  writeBuffer: readonly unknown[];
}

function gapPacket(gap: GapEvent): SharedPacket {
  return new SharedPacket(`2["gap",${JSON.stringify(gap)}]`);
}
