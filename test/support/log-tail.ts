import type { Log, LoggedBatch } from '@pulseboard/core';
import { Waiters } from './waiters.js';

/** What one reader of a log hands its listeners, in order. */
export class LogTail {
  readonly batches: LoggedBatch[] = [];
  private readonly waiters = new Waiters();

  constructor(log: Log) {
    log.tail((batch) => {
      this.batches.push(batch);
      this.waiters.notify();
    });
  }

  /** Every value, in the order the batches came. */
  values(): number[] {
    return this.batches.flatMap((batch) => Array.from(batch.v));
  }

  valuesOf(feed: string): number[] {
    return this.batches.flatMap((batch) => Array.from(batch.v).filter((_, i) => batch.feeds[i] === feed));
  }

  /** Resolves once `count` points have come. */
  until(count: number, timeoutMs = 10_000): Promise<void> {
    return this.waiters.until(
      () => this.values().length >= count,
      () => `${count} points; got ${JSON.stringify(this.values())}`,
      timeoutMs,
    );
  }
}
