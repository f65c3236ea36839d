import { describe, expect, it } from 'vitest';
import { PartitionPositions } from './partition-positions.js';

/** Batches numbered 1…n locally, round-robin over the partitions, origins ten apart per partition. */
function filled(partitions: number, batches: number): PartitionPositions {
  const positions = new PartitionPositions(partitions);
  for (let local = 1; local <= batches; local++) {
    const partition = (local - 1) % partitions;
    positions.record(partition, local, Math.ceil(local / partitions) * 10);
  }
  return positions;
}

describe('PartitionPositions', () => {
  it('gives the origins a local position stands for, and turns them back into floors', () => {
    const positions = filled(3, 9); // locals 1-9: p0 at 1,4,7; p1 at 2,5,8; p2 at 3,6,9
    expect(positions.originsAt(5)).toEqual([20, 20, 10]);
    expect(positions.originsAt(9)).toEqual([30, 30, 30]);
    expect(positions.resumeAt([20, 20, 10])).toMatchObject({ cursor: 3, top: 5, floors: Float64Array.of(4, 5, 3) });
    // an origin between two batches stands for the earlier one; one before them all, for none of them
    expect(positions.resumeAt([25, 0, 30])?.floors).toEqual(Float64Array.of(4, 1, 9));
    // not applied yet here
    expect(positions.resumeAt([40, 0, 0])).toBeUndefined();
    expect(positions.resumeAtMost([40, 0, 0]).floors).toEqual(Float64Array.of(7, 1, 2));
  });

  it('forgets what retention drops, remembering the newest dropped origin of each partition', () => {
    const positions = filled(4, 100_000);
    const full = positions.bytes;
    positions.dropThrough(99_000);
    expect(positions.bytes).toBeLessThan(full / 16);
    // 1,000 batches left: 250 per partition, the oldest of p0 at local 99,001 with origin 247,510
    expect(positions.originsAt(99_000)).toEqual([247_500, 247_500, 247_500, 247_500]);
    expect(positions.originsAt(99_001)).toEqual([247_510, 247_500, 247_500, 247_500]);
    // a cursor at what was dropped resumes after it; one before it starts at 0, so the loss is told
    expect(positions.resumeAt([247_500, 247_500, 247_500, 247_500])?.floors).toEqual(
      Float64Array.of(99_000, 99_001, 99_002, 99_003),
    );
    expect(positions.resumeAt([247_490, 247_500, 247_500, 247_500])?.floors[0]).toBe(0);
  });
});
