import type { PointBatch } from '@pulseboard/core';

/** Format tag of an encoded batch, so that a later format can be told apart. */
const FORMAT = 1;

/**
 * A batch as one Redis stream entry value: its distinct feed names once, then
 * per point the index of its name and its `t` and `v` as float64. Layout (little
 * endian): u8 format, u32 points, u32 names, names as (u16 byte length, UTF-8),
 * u32 name index per point, f64 t per point, f64 v per point.
 */
export function encodeBatch(batch: PointBatch): Buffer {
  const n = batch.feeds.length;
  const indexOf = new Map<string, number>();
  const names: Buffer[] = [];
  const indices = new Uint32Array(n);
  let namesBytes = 0;
  for (let i = 0; i < n; i++) {
    const feed = batch.feeds[i];
    let index = indexOf.get(feed);
    if (index === undefined) {
      index = names.length;
      indexOf.set(feed, index);
      const bytes = Buffer.from(feed, 'utf8');
      names.push(bytes);
      namesBytes += 2 + bytes.length;
    }
    indices[i] = index;
  }
  const header = 1 + 4 + 4;
  // the float columns start 8-byte aligned, so they can be read in place
  const columnsAt = align8(header + namesBytes + 4 * n);
  const out = Buffer.alloc(columnsAt + 16 * n);
  out.writeUInt8(FORMAT, 0);
  out.writeUInt32LE(n, 1);
  out.writeUInt32LE(names.length, 5);
  let at = header;
  for (const name of names) {
    out.writeUInt16LE(name.length, at);
    name.copy(out, at + 2);
    at += 2 + name.length;
  }
  Buffer.from(indices.buffer, indices.byteOffset, indices.byteLength).copy(out, at);
  Buffer.from(batch.t.buffer, batch.t.byteOffset, 8 * n).copy(out, columnsAt);
  Buffer.from(batch.v.buffer, batch.v.byteOffset, 8 * n).copy(out, columnsAt + 8 * n);
  return out;
}

/** The batch `encodeBatch` made; throws a `TypeError` for bytes that are not one. */
export function decodeBatch(bytes: Buffer): PointBatch {
  if (bytes.length < 9 || bytes.readUInt8(0) !== FORMAT) throw new TypeError('not an encoded batch');
  const n = bytes.readUInt32LE(1);
  const nameCount = bytes.readUInt32LE(5);
  const names: string[] = [];
  let at = 9;
  for (let i = 0; i < nameCount; i++) {
    const length = bytes.readUInt16LE(at);
    names.push(bytes.toString('utf8', at + 2, at + 2 + length));
    at += 2 + length;
  }
  const columnsAt = align8(at + 4 * n);
  if (bytes.length !== columnsAt + 16 * n) throw new TypeError('an encoded batch of the wrong length');
  const feeds = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const name = names[bytes.readUInt32LE(at + 4 * i)];
    if (name === undefined) throw new TypeError('an encoded batch names a feed it does not list');
    feeds[i] = name;
  }
  // copied out: the reply buffer is not 8-byte aligned in memory and may be reused
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = bytes.readDoubleLE(columnsAt + 8 * i);
    v[i] = bytes.readDoubleLE(columnsAt + 8 * (n + i));
  }
  return { feeds, t, v };
}

function align8(offset: number): number {
  return (offset + 7) & ~7;
}
