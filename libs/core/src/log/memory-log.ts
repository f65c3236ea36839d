import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import { LogUnavailableError, type BatchListener, type Log } from './log.js';
import type { LoggedBatch, PointBatch } from './point-batch.js';

/**
 * The embedded log: positions are a counter in this process and the log keeps
 * no history of its own (retention is where points live). A new process is a
 * new epoch, so cursors from before a restart are recognised as stale.
 */
export class MemoryLog implements Log {
  readonly epoch: string;
  private position = 0;
  private closed = false;
  private readonly listeners = new Set<BatchListener>();

  constructor(private readonly clock: Clock = systemClock) {
    this.epoch = newEpoch();
  }

  isAvailable(): boolean {
    return !this.closed;
  }

  append(batch: PointBatch): Promise<number> {
    if (this.closed) return Promise.reject(new LogUnavailableError('the log is closed'));
    const logged: LoggedBatch = {
      feeds: batch.feeds,
      t: batch.t,
      v: batch.v,
      position: ++this.position,
      arrivedAt: this.clock.now(),
    };
    for (const listener of this.listeners) listener(logged);
    return Promise.resolve(logged.position);
  }

  tail(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    return Promise.resolve();
  }
}

/** A random epoch name of 10 base-36 characters. */
export function newEpoch(): string {
  return BigInt('0x' + randomBytes(7).toString('hex'))
    .toString(36)
    .padStart(10, '0')
    .slice(-10);
}
