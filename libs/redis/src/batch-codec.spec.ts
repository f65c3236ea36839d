import { batchOf } from '@pulseboard/core';
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from './batch-codec.js';
import { ENTRIES_PER_MS, idOf, msOf, positionOf } from './stream-position.js';

describe('batch codec', () => {
  it('round-trips feeds, times and values exactly, names stored once', () => {
    const points = [
      { feed: 'host1.cpu.user', t: 1764230400000.5, v: 0.1 + 0.2 },
      { feed: 'host2.cpu.user', t: 1, v: -0 },
      { feed: 'host1.cpu.user', t: 8.64e15, v: Number.MAX_VALUE },
      { feed: 'é.名前', t: 0, v: Number.MIN_VALUE },
    ];
    const batch = batchOf(points);
    const bytes = encodeBatch(batch);
    const decoded = decodeBatch(bytes);
    expect(decoded.feeds).toEqual(points.map((p) => p.feed));
    expect(Array.from(decoded.t)).toEqual(points.map((p) => p.t));
    expect(Array.from(decoded.v)).toEqual(points.map((p) => p.v));
    expect(Object.is(decoded.v[1], -0)).toBe(true);
    // 9 header bytes, three distinct names once each (2 + 14, 2 + 14, 2 + 9 bytes), 4 indices of 4 bytes,
    // padded to 8, then 4 times and 4 values of 8 bytes
    expect(bytes.length).toBe(Math.ceil((9 + 16 + 16 + 11 + 16) / 8) * 8 + 64);
  });

  it('round-trips an empty batch and refuses bytes that are not a batch', () => {
    expect(decodeBatch(encodeBatch(batchOf([])))).toEqual({
      feeds: [],
      t: new Float64Array(0),
      v: new Float64Array(0),
    });
    const bytes = encodeBatch(batchOf([{ feed: 'a', t: 1, v: 2 }]));
    expect(() => decodeBatch(Buffer.from('hello'))).toThrow(TypeError);
    expect(() => decodeBatch(bytes.subarray(0, bytes.length - 1))).toThrow(TypeError);
    const wrongIndex = Buffer.from(bytes);
    wrongIndex.writeUInt32LE(5, 9 + 2 + 1);
    expect(() => decodeBatch(wrongIndex)).toThrow(/does not list/);
  });
});

describe('stream positions', () => {
  it('orders as stream IDs do and converts back', () => {
    const ids = ['1764230400000-0', '1764230400000-1', '1764230400000-999', '1764230400001-0'];
    const positions = ids.map((id) => positionOf(id));
    expect(positions).toEqual([...positions].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(new Set(positions).size).toBe(4);
    expect(ids.map((id) => idOf(positionOf(id) ?? -1))).toEqual(ids);
    expect(msOf('1764230400001-7')).toBe(1764230400001);
  });

  it('refuses IDs it cannot map', () => {
    expect(positionOf(`1-${ENTRIES_PER_MS}`)).toBeUndefined();
    expect(positionOf('abc')).toBeUndefined();
    expect(positionOf('-1')).toBeUndefined();
    expect(positionOf('99999999999999999-0')).toBeUndefined();
  });
});
