import { Inject, Injectable } from '@nestjs/common';
import type { Log, PointBatch } from '@pulseboard/core';
import { LOG } from './tokens.js';

/** The server is stopping and takes no more points. */
export class NotAcceptingError extends Error {
  constructor() {
    super('the server is shutting down');
    this.name = 'NotAcceptingError';
  }
}

/**
 * The single way points enter the log, for ingest and feed sources alike.
 * Counts what was written for metrics.
 */
@Injectable()
export class PointWriter {
  private accepting = true;
  private written = 0;
  private batches = 0;

  constructor(@Inject(LOG) private readonly log: Log) {}

  get pointsWritten(): number {
    return this.written;
  }

  get batchesWritten(): number {
    return this.batches;
  }

  /** Whether a write can succeed now: not shutting down and the log available. */
  get isAccepting(): boolean {
    return this.accepting && this.log.isAvailable();
  }

  get isShuttingDown(): boolean {
    return !this.accepting;
  }

  /** Appends a whole batch; resolves with its log position once stored. */
  async write(batch: PointBatch): Promise<number> {
    if (!this.accepting) throw new NotAcceptingError();
    const position = await this.log.append(batch);
    this.written += batch.feeds.length;
    this.batches++;
    return position;
  }

  stopAccepting(): void {
    this.accepting = false;
  }
}
