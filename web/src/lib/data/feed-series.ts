import type { GapReason } from '@pulseboard/protocol';
import { DEFAULT_CAPACITY, SeriesBuffer } from './series-buffer';

/** Kept beyond the window so a chart's left edge is drawn from real points, not from its first one. */
export function windowMargin(windowMs: number): number {
  return Math.max(5_000, windowMs / 10);
}

/**
 * One series as one chart shows it: a history backfill (from the points
 * endpoint, at the chart's resolution) followed by the live stream, merged
 * without duplicates or holes, in a bounded {@link SeriesBuffer}.
 *
 * The merge relies on the order of operations its owner keeps: the series is
 * on the stream *before* the history is requested. Every point that arrives
 * live while the history loads waits here; when the history comes, the
 * waiting points it already covers (time ≤ its newest time) are dropped and
 * the rest follow it. A point is therefore either in the history or live,
 * never in neither, and once in the buffer.
 */
export class FeedSeries {
  /** The series key (`cpu.usage{host="a"}`, or the name alone). */
  readonly key: string;
  readonly buffer: SeriesBuffer;
  #windowMs: number;
  /** Bumped by every backfill start, so a late answer of an older one is ignored. */
  #generation = 0;
  #loading = false;
  /** Live points that arrived while the history loads, with where continuity broke among them. */
  #waitingT: number[] = [];
  #waitingV: number[] = [];
  #waitingGaps: number[] = [];

  constructor(key: string, windowMs: number, capacity = DEFAULT_CAPACITY) {
    this.key = key;
    this.buffer = new SeriesBuffer(capacity);
    this.#windowMs = windowMs;
  }

  /** Whether history is being loaded (live points wait meanwhile). */
  get loading(): boolean {
    return this.#loading;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** A new window: prunes to it now; the owner loads history again when it grew. */
  setWindow(windowMs: number): void {
    this.#windowMs = windowMs;
    this.#prune();
  }

  /**
   * Starts loading history: from now on live points wait for it. Returns the
   * token that {@link applyBackfill} takes, so only the latest load applies.
   */
  beginBackfill(): number {
    this.#loading = true;
    this.#waitingT = [];
    this.#waitingV = [];
    this.#waitingGaps = [];
    return ++this.#generation;
  }

  /**
   * The history arrived (`t` in any order; the points endpoint answers in
   * arrival order). Replaces what the buffer held, then appends the live
   * points that waited and are newer than the history. Returns false when a
   * newer backfill has begun since `token`.
   */
  applyBackfill(token: number, t: ArrayLike<number>, v: ArrayLike<number>): boolean {
    if (token !== this.#generation || !this.#loading) return false;
    this.#loading = false;
    const buffer = this.buffer;
    buffer.clear();
    buffer.pushAll(t, v);
    const newest = buffer.lastTime;
    let gap = 0;
    for (let i = 0; i < this.#waitingT.length; i++) {
      while (gap < this.#waitingGaps.length && this.#waitingGaps[gap] <= i) {
        buffer.markGap();
        gap++;
      }
      // the history already holds this point (or it is older than everything the history had)
      if (this.#waitingT[i] <= newest) continue;
      buffer.push(this.#waitingT[i], this.#waitingV[i]);
    }
    if (gap < this.#waitingGaps.length) buffer.markGap();
    this.#waitingT = [];
    this.#waitingV = [];
    this.#waitingGaps = [];
    this.#prune();
    return true;
  }

  /** The history could not be had: the live points that waited are all there is. */
  failBackfill(token: number): boolean {
    return this.applyBackfill(token, [], []);
  }

  /** New points from the stream. */
  live(t: ArrayLike<number>, v: ArrayLike<number>): void {
    const count = Math.min(t.length, v.length);
    if (this.#loading) {
      for (let i = 0; i < count; i++) {
        this.#waitingT.push(t[i]);
        this.#waitingV.push(v[i]);
      }
      // bounded like the buffer: the oldest waiting points are the ones the history most likely holds
      const excess = this.#waitingT.length - this.buffer.capacity;
      if (excess > 0) {
        this.#waitingT.splice(0, excess);
        this.#waitingV.splice(0, excess);
        this.#waitingGaps = this.#waitingGaps.map((at) => Math.max(0, at - excess));
      }
      return;
    }
    this.buffer.pushAll(t, v);
    this.#prune();
  }

  /**
   * The stream lost continuity for this series. `retention` and `slow` lose
   * points, so the line breaks there. `epoch` does not: the server restarted
   * with a new log and sends every point it has received since, so the
   * points after the restart follow the ones before without a hole.
   */
  gap(reason: GapReason): void {
    if (reason === 'epoch') return;
    if (this.#loading) this.#waitingGaps.push(this.#waitingT.length);
    else this.buffer.markGap();
  }

  #prune(): void {
    const newest = this.buffer.lastTime;
    if (Number.isFinite(newest)) this.buffer.pruneBefore(newest - this.#windowMs - windowMargin(this.#windowMs));
  }
}
