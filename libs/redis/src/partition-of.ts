import { PointBatchBuilder, type PointBatch } from '@pulseboard/core';

/**
 * The partition a feed's points go to: FNV-1a (32 bit) of its first
 * `segments` name segments (`host1` of `host1.cpu.user` with 1), modulo the
 * partition count. Every instance computes the same; a feed's points always
 * share one partition, so their order is the partition's order; and a
 * source's feeds, which its producer usually sends together, share one too,
 * so a batch is usually one entry in one stream.
 */
export function partitionOf(feed: string, partitions: number, segments = 1): number {
  let end = -1;
  for (let s = 0; s < segments; s++) {
    end = feed.indexOf('.', end + 1);
    if (end === -1) break;
  }
  const length = end === -1 ? feed.length : end;
  let hash = 0x811c9dc5;
  for (let i = 0; i < length; i++) {
    hash ^= feed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/** Splits a batch by partition, keeping each point's order; only partitions with points are present. */
export function splitByPartition(batch: PointBatch, partitions: number, segments = 1): Map<number, PointBatch> {
  const { feeds } = batch;
  const of = new Uint16Array(feeds.length);
  let previousFeed: string | undefined;
  let partition = 0;
  let mixed = false;
  for (let i = 0; i < feeds.length; i++) {
    if (feeds[i] !== previousFeed) {
      previousFeed = feeds[i];
      partition = partitionOf(previousFeed, partitions, segments);
    }
    of[i] = partition;
    if (partition !== of[0]) mixed = true;
  }
  // the usual batch: one source's feeds, one partition
  if (!mixed) return new Map(feeds.length === 0 ? [] : [[of[0], batch]]);
  const builders = new Map<number, PointBatchBuilder>();
  for (let i = 0; i < feeds.length; i++) {
    let builder = builders.get(of[i]);
    if (builder === undefined) {
      builder = new PointBatchBuilder();
      builders.set(of[i], builder);
    }
    builder.add(feeds[i], batch.t[i], batch.v[i]);
  }
  const parts = new Map<number, PointBatch>();
  for (const [index, builder] of builders) parts.set(index, builder.build());
  return parts;
}
