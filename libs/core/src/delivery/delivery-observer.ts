import type { GapReason } from '@pulseboard/protocol';
import type { BatchIndex } from '../retention/batch-index.js';
import type { CloseReason } from './connection.js';

/**
 * What one transport's connections were written in one tick. The scheduler
 * adds to it on every write (plain additions on an object each connection
 * already holds: no lookup, no allocation) and hands it to the observer once
 * per tick.
 */
export class TransportTally {
  /** Deliveries written: at most one per connection per tick (points, a gap notice, or both). */
  frames = 0;
  /** Bytes of those deliveries as the transport wrote them (see `DeliverySink.send`). */
  bytes = 0;
  /** Points they carried. */
  points = 0;

  constructor(readonly transport: string) {}
}

/** Hooks for metrics and logs; the engine itself depends on neither. */
export interface DeliveryObserver {
  /** Once per tick, with how long it took. */
  tick(durationMs: number): void;
  /** Once per tick for each transport that was written to. The tally is reset afterwards: read it, do not keep it. */
  written(tally: Readonly<TransportTally>): void;
  /**
   * Once per batch, in the first tick that writes its points to a live
   * connection: the time since the batch arrived (its `arrivedAt`), in ms.
   */
  lag(ms: number): void;
  /** A gap notice was written to a client (one call per notice, however many feeds it names). */
  gap(reason: GapReason): void;
  /** The server ended a connection. */
  closed(transport: string, reason: CloseReason): void;
  /** A connection failed while being served; it was closed, the others carry on. */
  failed(transport: string, error: unknown): void;
}

/**
 * The scheduler's per-tick accounting: write tallies by transport, and which
 * batches live connections were written this tick, for the lag each batch is
 * observed with once.
 */
export class DeliveryAccounting {
  private readonly tallies = new Map<string, TransportTally>();
  /** Batches up to this position have had their lag observed (or never will: no live write covered them). */
  private lagObservedThrough = 0;
  /** The positions `(from, to]` that this tick's writes to live connections covered. */
  private liveFrom = Infinity;
  private liveTo = 0;

  /** The tally a connection of `transport` adds its writes to; looked up once, when it opens. */
  tallyFor(transport: string): TransportTally {
    let tally = this.tallies.get(transport);
    if (tally === undefined) {
      tally = new TransportTally(transport);
      this.tallies.set(transport, tally);
    }
    return tally;
  }

  /** A frame of points covering log positions `(from, to]` was written to a live connection. */
  liveWrite(from: number, to: number): void {
    if (from < this.liveFrom) this.liveFrom = from;
    if (to > this.liveTo) this.liveTo = to;
  }

  /**
   * Reports the tick to the observer and starts the next one. The lag of a
   * batch is observed once, by the tick that first wrote a live frame
   * reaching it; batches before the earliest live cursor written this tick
   * are skipped (a connection that opens later starts at the head, and old
   * batches only it would cover are not lag).
   */
  endTick(observer: DeliveryObserver | undefined, batches: BatchIndex, now: number): void {
    for (const tally of this.tallies.values()) {
      if (tally.frames === 0) continue;
      observer?.written(tally);
      tally.frames = 0;
      tally.bytes = 0;
      tally.points = 0;
    }
    if (this.liveTo > this.lagObservedThrough) {
      if (observer !== undefined) {
        batches.eachArrival(Math.max(this.lagObservedThrough, this.liveFrom), this.liveTo, (arrivedAt) =>
          // a shared log stamps arrival with its own clock, which may run a little ahead of this one
          observer.lag(Math.max(0, now - arrivedAt)),
        );
      }
      this.lagObservedThrough = this.liveTo;
    }
    this.liveFrom = Infinity;
    this.liveTo = 0;
  }
}
