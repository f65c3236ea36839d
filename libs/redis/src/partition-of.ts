import { PointBatchBuilder, type PointBatch } from '@pulseboard/core';

/**
 * The partition a feed's points go to: FNV-1a (32 bit) of its name, modulo
 * the partition count. Every instance computes the same, and a feed's points
 * always share one partition, so their order is the partition's order.
 */
export function partitionOf(feed: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < feed.length; i++) {
    hash ^= feed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/** Splits a batch by partition, keeping each point's order; only partitions with points are present. */
export function splitByPartition(batch: PointBatch, partitions: number): Map<number, PointBatch> {
  const builders = new Map<number, PointBatchBuilder>();
  let previousFeed: string | undefined;
  let previous: PointBatchBuilder | undefined;
  for (let i = 0; i < batch.feeds.length; i++) {
    const feed = batch.feeds[i];
    if (feed !== previousFeed || previous === undefined) {
      const partition = partitionOf(feed, partitions);
      previous = builders.get(partition);
      if (previous === undefined) {
        previous = new PointBatchBuilder();
        builders.set(partition, previous);
      }
      previousFeed = feed;
    }
    previous.add(feed, batch.t[i], batch.v[i]);
  }
  const parts = new Map<number, PointBatch>();
  for (const [partition, builder] of builders) parts.set(partition, builder.build());
  return parts;
}
