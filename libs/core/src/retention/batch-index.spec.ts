import { describe, expect, it } from 'vitest';
import { BatchIndex } from './batch-index.js';

describe('BatchIndex', () => {
  const index = (): BatchIndex => {
    const i = new BatchIndex();
    // positions 1..10, 100 points each, arriving every 10 ms from t=1000
    for (let p = 1; p <= 10; p++) i.push(p, 1000 + p * 10, 100);
    return i;
  };

  it('finds the newest batch that arrived by a time', () => {
    expect(index().lastArrivedBy(1055)).toBe(5);
    expect(index().lastArrivedBy(1000)).toBeUndefined();
    expect(index().lastArrivedBy(9999)).toBe(10);
  });

  it('reaches as far as a point budget allows, but always one batch', () => {
    const i = index();
    expect(i.reachWithin(0, 10, 350)).toBe(3);
    expect(i.reachWithin(3, 10, 1000)).toBe(10);
    expect(i.reachWithin(3, 8, 1000)).toBe(8);
    expect(i.reachWithin(4, 10, 10)).toBe(5);
    expect(i.reachWithin(10, 10, 10)).toBe(10);
  });

  it('gives back memory in one step when most entries are dropped', () => {
    const i = new BatchIndex();
    for (let p = 1; p <= 100_000; p++) i.push(p, p, 1);
    const full = i.bytes;
    i.dropThrough(99_500);
    expect(i.size).toBe(500);
    // 131,072 rows down to 1,024 (the least it keeps): halved while less than a quarter is used
    expect(i.bytes).toBe(full / 128);
    expect(i.reachWithin(99_500, 100_000, 10)).toBe(99_510);
  });

  it('drops entries and keeps counting from what was dropped', () => {
    const i = index();
    i.dropThrough(4);
    expect(i.size).toBe(6);
    expect(i.oldestPosition).toBe(5);
    expect(i.reachWithin(0, 10, 250)).toBe(6);
    expect(i.positionOfOldest(0)).toBe(5);
    expect(i.positionOfOldest(5)).toBe(10);
    expect(i.positionOfOldest(6)).toBeUndefined();
  });

  it('keeps arrival times non-decreasing when the clock steps back', () => {
    const i = new BatchIndex();
    i.push(1, 5000, 1);
    i.push(2, 4000, 1);
    expect(i.arrivalAt(2)).toBe(5000);
    expect(i.lastArrivedBy(4500)).toBeUndefined();
  });

  it('grows and wraps without losing order', () => {
    const i = new BatchIndex();
    for (let p = 1; p <= 5000; p++) i.push(p, p, 1);
    i.dropThrough(4000);
    for (let p = 5001; p <= 6000; p++) i.push(p, p, 1);
    expect(i.size).toBe(2000);
    expect(i.lastArrivedBy(5500)).toBe(5500);
    expect(i.reachWithin(4500, 6000, 100)).toBe(4600);
  });
});
