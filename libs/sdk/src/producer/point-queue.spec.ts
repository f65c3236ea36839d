import { describe, expect, it } from 'vitest';
import { PointQueue } from './point-queue.js';

describe('PointQueue', () => {
  const fill = (queue: PointQueue, from: number, count: number): void => {
    for (let v = from; v < from + count; v++) queue.push({ feed: 'q.a', v });
  };

  it('takes in push order and numbers every point', () => {
    const queue = new PointQueue();
    fill(queue, 0, 5);
    expect(queue.take(2).map((p) => p.v)).toEqual([0, 1]);
    expect(queue.headSeq).toBe(2);
    expect(queue.nextSeq).toBe(5);
    expect(queue.take(10).map((p) => p.v)).toEqual([2, 3, 4]);
    expect(queue.length).toBe(0);
    expect(queue.headSeq).toBe(5);
  });

  it('drops the oldest and keeps numbering', () => {
    const queue = new PointQueue();
    fill(queue, 0, 5);
    expect(queue.dropOldest(3)).toBe(3);
    expect(queue.headSeq).toBe(3);
    expect(queue.dropOldest(10)).toBe(2);
    fill(queue, 5, 1);
    expect(queue.take(1)).toEqual([{ feed: 'q.a', v: 5 }]);
  });

  it('stays correct across compaction', () => {
    const queue = new PointQueue();
    const taken: number[] = [];
    for (let round = 0; round < 50; round++) {
      fill(queue, round * 100, 100);
      taken.push(...queue.take(97).map((p) => p.v));
    }
    taken.push(...queue.take(Infinity).map((p) => p.v));
    expect(taken).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});
