import { constants, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptsSharedDeflate, SERVER_WINDOW_BITS, SharedPacket } from './socket-frames.js';

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
    // RFC 7692 §7.2.2: the receiver appends 00 00 ff ff before inflating
    const inflated = inflateRawSync(Buffer.concat([frame.payload, Buffer.from([0, 0, 0xff, 0xff])]), {
      windowBits: SERVER_WINDOW_BITS,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    expect(inflated.toString()).toBe('4' + text);
  });

  it('builds each encoding once', () => {
    const packet = new SharedPacket('2["gap",{}]');
    expect(packet.plain()).toBe(packet.plain());
    expect(packet.deflated()).toBe(packet.deflated());
  });
});

describe('acceptsSharedDeflate', () => {
  const negotiated = (params: Record<string, unknown> | undefined) => ({
    readyState: 1,
    _extensions: params === undefined ? {} : { 'permessage-deflate': { params } },
  });

  it('takes sockets that inflate each message alone with the server window', () => {
    expect(acceptsSharedDeflate(negotiated({ server_no_context_takeover: true, server_max_window_bits: 10 }))).toBe(
      true,
    );
  });

  it('refuses sockets without deflate, with context takeover, or with another window', () => {
    expect(acceptsSharedDeflate(negotiated(undefined))).toBe(false);
    expect(acceptsSharedDeflate(negotiated({ server_max_window_bits: 10 }))).toBe(false);
    expect(acceptsSharedDeflate(negotiated({ server_no_context_takeover: true, server_max_window_bits: 15 }))).toBe(
      false,
    );
  });
});
