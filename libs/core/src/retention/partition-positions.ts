import { ColumnRing } from './column-ring.js';

/** Columns of a partition's ring: the position this instance gave a batch, and the partition's own. */
const LOCAL = 0;
const ORIGIN = 1;
const MIN_CAPACITY = 64;

/** Where a resumed connection starts: its local cursor and, per partition, what it has already had. */
export interface ResumePoint {
  /** Local position to read after (the lowest floor). */
  cursor: number;
  /** Per partition: the local position up to which its points were already delivered. */
  floors: Float64Array;
  /** The highest floor; once the cursor passes it the floors no longer matter (at once when it is the cursor). */
  top: number;
}

/**
 * For a log split into partitions, every instance reads the partitions in its
 * own interleaving and numbers the batches in the order it applies them
 * (local positions, which retention and delivery run on). Each batch also has
 * its position in its partition (its origin), which is the same everywhere.
 * This keeps, per partition, the local and origin positions of the batches in
 * retention, so that a cursor can carry one origin per partition — valid on
 * every instance — and be turned back into local positions on any of them.
 */
export class PartitionPositions {
  private readonly rings: ColumnRing[];
  /** Per partition: origin of the newest batch applied, 0 before any. */
  private readonly heads: Float64Array;
  /** Per partition: origin and local position of the newest batch dropped from retention, 0 before any. */
  private readonly droppedOrigin: Float64Array;
  private readonly droppedLocal: Float64Array;
  private lastLocal = 0;

  constructor(readonly count: number) {
    this.rings = Array.from({ length: count }, () => new ColumnRing(2, MIN_CAPACITY));
    this.heads = new Float64Array(count);
    this.droppedOrigin = new Float64Array(count);
    this.droppedLocal = new Float64Array(count);
  }

  get bytes(): number {
    let bytes = 0;
    for (const ring of this.rings) bytes += ring.bytes;
    return bytes;
  }

  /** Notes an applied batch; batches come in increasing local order, and in origin order within a partition. */
  record(partition: number, local: number, origin: number): void {
    const ring = this.rings[partition];
    if (ring.size === ring.capacity) ring.resize(ring.capacity * 2);
    const i = ring.append();
    ring.set(i, LOCAL, local);
    ring.set(i, ORIGIN, origin);
    this.heads[partition] = origin;
    this.lastLocal = local;
  }

  /** Forgets the batches at or before local position `local`, as retention drops them. */
  dropThrough(local: number): void {
    for (let p = 0; p < this.count; p++) {
      const ring = this.rings[p];
      const n = ring.upperBound(LOCAL, local);
      if (n === 0) continue;
      this.droppedOrigin[p] = ring.get(n - 1, ORIGIN);
      this.droppedLocal[p] = ring.get(n - 1, LOCAL);
      for (let k = 0; k < n; k++) ring.dropOldest();
      ring.shrink(MIN_CAPACITY);
    }
  }

  /**
   * The origins a cursor at local position `local` stands for: per partition,
   * the newest batch at or before it. When that batch has left retention and
   * is not known, 0 — resuming from there is told of the loss.
   */
  originsAt(local: number): number[] {
    const origins = new Array<number>(this.count);
    for (let p = 0; p < this.count; p++) {
      const ring = this.rings[p];
      const n = ring.upperBound(LOCAL, local);
      if (n > 0) origins[p] = ring.get(n - 1, ORIGIN);
      else origins[p] = local >= this.droppedLocal[p] ? this.droppedOrigin[p] : 0;
    }
    return origins;
  }

  /**
   * Turns a cursor's origins into local positions, or `undefined` while this
   * instance has not yet applied everything the cursor has seen.
   */
  resumeAt(origins: readonly number[]): ResumePoint | undefined {
    for (let p = 0; p < this.count; p++) if (origins[p] > this.heads[p]) return undefined;
    return this.floorsOf(origins);
  }

  /** Like `resumeAt`, but takes what is applied so far (for a cursor this instance cannot catch up with). */
  resumeAtMost(origins: readonly number[]): ResumePoint {
    return this.floorsOf(origins.map((origin, p) => Math.min(origin, this.heads[p])));
  }

  private floorsOf(origins: readonly number[]): ResumePoint {
    const floors = new Float64Array(this.count);
    let cursor = Infinity;
    let top = 0;
    for (let p = 0; p < this.count; p++) {
      floors[p] = this.floorOf(p, origins[p]);
      cursor = Math.min(cursor, floors[p]);
      top = Math.max(top, floors[p]);
    }
    return { cursor, floors, top };
  }

  /** Local position through which partition `p`'s points up to `origin` lie. */
  private floorOf(p: number, origin: number): number {
    // points after the cursor have left retention: read from the start, so the loss is announced
    if (origin < this.droppedOrigin[p]) return 0;
    const ring = this.rings[p];
    const n = ring.upperBound(ORIGIN, origin);
    if (n > 0) return ring.get(n - 1, LOCAL);
    // older than every retained batch of the partition, and nothing after it was lost
    return ring.size > 0 ? ring.get(0, LOCAL) - 1 : this.lastLocal;
  }
}
