import { describe, expect, it } from 'vitest';
import { SeriesBuffer } from './series-buffer';

function times(buffer: SeriesBuffer): number[] {
  return Array.from({ length: buffer.length }, (_, i) => buffer.timeAt(i));
}

function values(buffer: SeriesBuffer): number[] {
  return Array.from({ length: buffer.length }, (_, i) => buffer.valueAt(i));
}

describe('SeriesBuffer', () => {
  it('keeps points in time order, inserting late ones where they belong', () => {
    const buffer = new SeriesBuffer(16);
    buffer.pushAll([10, 20, 40], [1, 2, 4]);
    buffer.push(30, 3);
    buffer.push(5, 0.5);
    expect(times(buffer)).toEqual([5, 10, 20, 30, 40]);
    expect(values(buffer)).toEqual([0.5, 1, 2, 3, 4]);
    expect(buffer.lastTime).toBe(40);
    expect(buffer.lastValue).toBe(4);
  });

  it('drops an exact repeat but keeps two values at one time', () => {
    const buffer = new SeriesBuffer(16);
    buffer.pushAll([10, 20, 20, 20, 10], [1, 2, 2, 3, 1]);
    expect(times(buffer)).toEqual([10, 20, 20]);
    expect(values(buffer)).toEqual([1, 2, 3]);
  });

  it('ignores non-finite points', () => {
    const buffer = new SeriesBuffer(16);
    buffer.pushAll([1, NaN, 3], [1, 2, Infinity]);
    expect(times(buffer)).toEqual([1]);
  });

  it('prunes everything older than a bound, across the ring’s wrap', () => {
    const buffer = new SeriesBuffer(16);
    for (let t = 0; t < 12; t++) buffer.push(t, t);
    buffer.pruneBefore(8);
    for (let t = 12; t < 20; t++) buffer.push(t, t);
    expect(times(buffer)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(buffer.lowerBound(10)).toBe(2);
    expect(buffer.upperBound(10)).toBe(3);
  });

  it('never holds more than its capacity, and still spans the whole time range when full', () => {
    const buffer = new SeriesBuffer(1024);
    for (let t = 0; t < 100_000; t++) buffer.push(t, Math.sin(t / 100));
    expect(buffer.length).toBeLessThanOrEqual(1024);
    expect(buffer.timeAt(0)).toBeLessThan(1_000);
    expect(buffer.lastTime).toBe(99_999);
    const ts = times(buffer);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    // compaction keeps extremes: the sine still reaches ±1 in the compacted part
    const early = values(buffer).slice(0, 200);
    expect(Math.max(...early)).toBeGreaterThan(0.99);
    expect(Math.min(...early)).toBeLessThan(-0.99);
  });

  it('stays bounded when every point has the same time', () => {
    const buffer = new SeriesBuffer(64);
    for (let i = 0; i < 1_000; i++) buffer.push(5, i);
    expect(buffer.length).toBeLessThanOrEqual(64);
    expect(buffer.lastValue).toBe(999);
  });

  it('records a gap between the newest point and the next one', () => {
    const buffer = new SeriesBuffer(16);
    buffer.pushAll([1, 2], [1, 2]);
    buffer.markGap();
    buffer.pushAll([9, 10], [9, 10]);
    expect(buffer.gaps).toEqual([{ from: 2, to: 9 }]);
    buffer.pruneBefore(9.5);
    expect(buffer.gaps).toEqual([]);
  });

  it('records no gap when nothing came before it', () => {
    const buffer = new SeriesBuffer(16);
    buffer.markGap();
    buffer.push(1, 1);
    expect(buffer.gaps).toEqual([]);
  });
});
