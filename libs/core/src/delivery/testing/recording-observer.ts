import type { GapReason } from '@pulseboard/protocol';
import type { CloseReason } from '../connection.js';
import type { DeliveryObserver, TransportTally } from '../delivery-observer.js';

/** Records every hook the scheduler calls, in order. */
export class RecordingObserver implements DeliveryObserver {
  ticks = 0;
  /** Copies of the tallies reported, one per transport per tick that wrote. */
  readonly writes: { transport: string; frames: number; bytes: number; points: number }[] = [];
  readonly lags: number[] = [];
  readonly gaps: GapReason[] = [];
  readonly closes: { transport: string; reason: CloseReason }[] = [];
  readonly failures: unknown[] = [];

  tick(): void {
    this.ticks++;
  }

  written({ transport, frames, bytes, points }: Readonly<TransportTally>): void {
    this.writes.push({ transport, frames, bytes, points });
  }

  lag(ms: number): void {
    this.lags.push(ms);
  }

  gap(reason: GapReason): void {
    this.gaps.push(reason);
  }

  closed(transport: string, reason: CloseReason): void {
    this.closes.push({ transport, reason });
  }

  failed(_transport: string, error: unknown): void {
    this.failures.push(error);
  }
}
