import type { CloseReason, Delivery, DeliverySink } from '@pulseboard/core';
import type { ControlSocket } from './control-socket.js';
import { deflateParams, queuedPackets, tcpOf, webSocketOf, type WebSocketInternals } from './engine-internals.js';
import { acceptsSharedDeflate, gapPacket, pointsPacket, type SharedPacket } from './socket-frames.js';

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
    if (conn.readyState !== 'open' || queuedPackets(conn) > 0) return false;
    const ws = webSocketOf(conn);
    if (ws === undefined) return true;
    const tcp = tcpOf(ws);
    return tcp !== undefined && !tcp.destroyed && !tcp.writableNeedDrain;
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
    const ws = webSocketOf(this.socket.conn);
    const tcp = ws === undefined ? undefined : tcpOf(ws);
    if ((reason === 'slow' || reason === 'error') && tcp !== undefined) {
      // nothing more can reach it: a closing handshake would wait behind the stalled data
      tcp.destroy();
      return;
    }
    this.socket.disconnect(true);
  }

  /** Writes a shared packet; returns its bytes as written (the WebSocket frame, compressed when it is). */
  private write(packet: SharedPacket): number {
    const ws = webSocketOf(this.socket.conn);
    const tcp = ws === undefined ? undefined : tcpOf(ws);
    if (ws === undefined || tcp === undefined) {
      this.socket.conn.write(packet.packet);
      return packet.size;
    }
    if (this.negotiatedFor !== ws) {
      this.negotiatedFor = ws;
      this.sharedDeflate = this.options.deflate && acceptsSharedDeflate(deflateParams(ws));
    }
    const compress = this.sharedDeflate && packet.size >= this.options.deflateThreshold;
    const frame = compress ? packet.deflated() : packet.plain();
    tcp.write(frame);
    return frame.length;
  }
}
