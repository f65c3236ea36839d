import { constants, deflateRawSync } from 'node:zlib';
import type { Frame } from '@pulseboard/core';
import {
  jsonObject,
  jsonText,
  type GapEvent,
  type JsonText,
  type ServerToClientEvents,
  type SocketPointsEvent,
} from '@pulseboard/protocol';

/**
 * The window the server compresses with (2^10 bytes). Data frames are
 * compressed once per tick and shared by every socket, which only works if
 * every socket inflates with the same window: the server states it in the
 * handshake. A small window costs little here (numeric JSON repeats within a
 * few hundred bytes; measured 5.1× vs 4.6× for 15 bits on a 1,000-feed frame
 * at level 1) and keeps any per-socket compressor small.
 */
export const SERVER_WINDOW_BITS = 10;
/** Fastest zlib level: a frame is compressed on the tick's critical path. */
const COMPRESSION_LEVEL = 1;
/** What `Z_SYNC_FLUSH` ends a message with; permessage-deflate leaves it out (RFC 7692 §7.2.1). */
const DEFLATE_TAIL = 4;

const TEXT_OPCODE = 1;

/** engine.io protocol v4: a `message` packet is `4` and its data. */
const ENGINE_MESSAGE = '4';
/** Socket.IO protocol v5: an `EVENT` packet is `2`, here on the main namespace and without an ack id. */
const SOCKET_IO_EVENT = '2';

/** What a server event carries, as `ServerToClientEvents` types it. */
export type ServerEventPayload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/**
 * The ways one Socket.IO `points` packet can go out, each built on first use
 * and shared by every socket that receives the same frame: the packet text
 * (for long-polling), a WebSocket frame, and a WebSocket frame compressed
 * without context takeover (`rsv1` set).
 */
export class SharedPacket {
  private plainFrame: Buffer | undefined;
  private deflatedFrame: Buffer | undefined;
  private bytes = -1;

  constructor(
    /** The Socket.IO packet (`2["points",{...}]`) as engine.io's message payload. */
    readonly packet: string,
  ) {}

  /**
   * The packet of server event `event` carrying `payload`: the payload's
   * type is the one the event map gives the event, so a packet cannot be
   * built for one event with another's message.
   */
  static event<E extends keyof ServerToClientEvents>(event: E, payload: JsonText<ServerEventPayload<E>>): SharedPacket {
    return new SharedPacket(`${SOCKET_IO_EVENT}[${JSON.stringify(event)},${payload}]`);
  }

  /** Bytes of the WebSocket payload (`4` + the packet); counted once, every socket that gets the packet asks. */
  get size(): number {
    if (this.bytes < 0) this.bytes = Buffer.byteLength(this.packet) + ENGINE_MESSAGE.length;
    return this.bytes;
  }

  /** A complete unmasked text frame carrying the packet. */
  plain(): Buffer {
    return (this.plainFrame ??= wsFrame(Buffer.from(ENGINE_MESSAGE + this.packet), false));
  }

  /** A complete compressed text frame carrying the packet. */
  deflated(): Buffer {
    if (this.deflatedFrame === undefined) {
      const compressed = deflateRawSync(ENGINE_MESSAGE + this.packet, {
        level: COMPRESSION_LEVEL,
        windowBits: SERVER_WINDOW_BITS,
        finishFlush: constants.Z_SYNC_FLUSH,
      });
      this.deflatedFrame = wsFrame(compressed.subarray(0, compressed.length - DEFLATE_TAIL), true);
    }
    return this.deflatedFrame;
  }
}

/** One final, unmasked server frame: header and payload in one buffer (RFC 6455 §5.2). */
function wsFrame(payload: Buffer, compressed: boolean): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x80 | (compressed ? 0x40 : 0) | TEXT_OPCODE; // FIN, RSV1 for a compressed message
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/**
 * The `points` packet of a frame, encoded once for every socket that gets it:
 * a `SocketPointsEvent` from the frame's cursor and its feeds' JSON, which
 * the frame encoded once for every transport.
 */
export function pointsPacket(frame: Frame): SharedPacket {
  return frame.encoded('socketio', (f) =>
    SharedPacket.event('points', jsonObject<SocketPointsEvent>({ cursor: jsonText(f.cursor), feeds: f.feedsJson() })),
  );
}

/** The `gap` packet of a delivery. */
export function gapPacket(gap: GapEvent): SharedPacket {
  return SharedPacket.event('gap', jsonText(gap));
}

/**
 * Whether a WebSocket whose permessage-deflate parameters are `params`
 * inflates server messages with the window shared frames are compressed with.
 */
export function acceptsSharedDeflate(params: Record<string, unknown> | undefined): boolean {
  if (params === undefined) return false;
  return params.server_max_window_bits === SERVER_WINDOW_BITS && params.server_no_context_takeover === true;
}
