import { constants, inflateRawSync } from 'node:zlib';
import { Feed, FeedSlice, Frame } from '@pulseboard/core';
import { jsonText, type GapEvent, type SocketPointsEvent } from '@pulseboard/protocol';
import { decodePacket } from 'engine.io-parser';
import { Decoder, PacketType, type Packet } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import { acceptsSharedDeflate, gapPacket, pointsPacket, SERVER_WINDOW_BITS, SharedPacket } from './socket-frames.js';

/** Reads one server frame back: FIN/RSV1/opcode, and the payload after the 2-, 4- or 10-byte header. */
function parseFrame(frame: Buffer): { fin: boolean; rsv1: boolean; opcode: number; payload: Buffer } {
  let length = frame[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2));
    offset = 10;
  }
  expect(frame[1] & 0x80).toBe(0); // server frames are never masked
  expect(frame.length).toBe(offset + length);
  return {
    fin: (frame[0] & 0x80) !== 0,
    rsv1: (frame[0] & 0x40) !== 0,
    opcode: frame[0] & 0x0f,
    payload: frame.subarray(offset),
  };
}

/** RFC 7692 §7.2.2: the receiver appends 00 00 ff ff before inflating. */
function inflate(payload: Buffer): Buffer {
  return inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), {
    windowBits: SERVER_WINDOW_BITS,
    finishFlush: constants.Z_SYNC_FLUSH,
  });
}

/** What socket.io-client makes of a server WebSocket message: engine.io's packet, then Socket.IO's. */
function decodeMessage(message: string): Packet {
  const engine = decodePacket(message);
  expect(engine.type).toBe('message');
  const decoder = new Decoder();
  const decoded: Packet[] = [];
  decoder.on('decoded', (packet: Packet) => decoded.push(packet));
  decoder.add(engine.data);
  expect(decoded).toHaveLength(1);
  return decoded[0];
}

const slice = (name: string, t: number[], v: number[]): FeedSlice =>
  new FeedSlice(new Feed(1, name, 100), Float64Array.from(t), Float64Array.from(v));

describe('the points packet', () => {
  const frame = new Frame(
    'k3-1f',
    31,
    [slice('host1.cpu.user', [1764230400000, 1764230400050], [0.42, -7]), slice('a:b_c-d', [5], [1e21])],
    [],
  );
  const expected: SocketPointsEvent = {
    cursor: 'k3-1f',
    feeds: { 'host1.cpu.user': { t: [1764230400000, 1764230400050], v: [0.42, -7] }, 'a:b_c-d': { t: [5], v: [1e21] } },
  };

  it('decodes with engine.io’s and Socket.IO’s own parsers to the SocketPointsEvent of its frame', () => {
    const packet = pointsPacket(frame);
    const plain = decodeMessage(parseFrame(packet.plain()).payload.toString());
    expect(plain).toEqual({ type: PacketType.EVENT, nsp: '/', data: ['points', expected] });
    const compressed = decodeMessage(inflate(parseFrame(packet.deflated()).payload).toString());
    expect(compressed).toEqual(plain);
    // long-polling hands engine.io the Socket.IO packet alone
    expect(decodeMessage('4' + packet.packet)).toEqual(plain);
  });

  it('is built once per frame, for every socket that gets it', () => {
    expect(pointsPacket(frame)).toBe(pointsPacket(frame));
  });

  it('carries a gap as the GapEvent it is', () => {
    const gap: GapEvent = { feeds: ['host1.cpu.user'], reason: 'slow' };
    const decoded = decodeMessage(parseFrame(gapPacket(gap).plain()).payload.toString());
    expect(decoded).toEqual({ type: PacketType.EVENT, nsp: '/', data: ['gap', gap] });
  });

  it('cannot be built with another event’s message (checked by tsc)', () => {
    const gap = jsonText<GapEvent>({ feeds: [], reason: 'retention' });
    // @ts-expect-error a `points` packet takes a SocketPointsEvent
    const wrong = SharedPacket.event('points', gap);
    expect(wrong.packet.startsWith('2["points",')).toBe(true);
  });
});

describe('SharedPacket', () => {
  it.each([0, 100, 124, 125, 126, 65_534, 65_535, 70_000])('frames a %i-byte packet whole', (size) => {
    const packet = new SharedPacket('x'.repeat(size));
    const frame = parseFrame(packet.plain());
    expect(frame).toMatchObject({ fin: true, rsv1: false, opcode: 1 });
    expect(frame.payload.toString()).toBe('4' + 'x'.repeat(size));
    expect(packet.size).toBe(size + 1);
  });

  it('compresses without the sync-flush tail, and a client inflater restores the packet', () => {
    const text = `2["points",{"cursor":"a-1","feeds":{"f":{"t":[${Array.from({ length: 500 }, (_, i) => 1e12 + i).join(',')}],"v":[1]}}}]`;
    const packet = new SharedPacket(text);
    const frame = parseFrame(packet.deflated());
    expect(frame).toMatchObject({ fin: true, rsv1: true, opcode: 1 });
    expect(frame.payload.length).toBeLessThan(text.length / 3);
    expect(inflate(frame.payload).toString()).toBe('4' + text);
  });

  it('builds each encoding once', () => {
    const packet = new SharedPacket('2["gap",{}]');
    expect(packet.plain()).toBe(packet.plain());
    expect(packet.deflated()).toBe(packet.deflated());
  });
});

describe('acceptsSharedDeflate', () => {
  it('takes sockets that inflate each message alone with the server window', () => {
    expect(acceptsSharedDeflate({ server_no_context_takeover: true, server_max_window_bits: 10 })).toBe(true);
  });

  it('refuses sockets without deflate, with context takeover, or with another window', () => {
    expect(acceptsSharedDeflate(undefined)).toBe(false);
    expect(acceptsSharedDeflate({ server_max_window_bits: 10 })).toBe(false);
    expect(acceptsSharedDeflate({ server_no_context_takeover: true, server_max_window_bits: 15 })).toBe(false);
  });
});
