import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '@pulseboard/api';
import { Retention, type Log, type PointBatch, type SeriesLimitProblem } from '@pulseboard/core';
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

  constructor(
    @Inject(LOG) private readonly log: Log,
    private readonly retention: Retention,
  ) {}

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

  /**
   * Appends a whole batch; resolves with its log position once stored.
   * Throws `400 too_many_series` (nothing stored) when the batch would
   * create series past `MAX_SERIES` or `MAX_SERIES_PER_NAME`.
   */
  async write(batch: PointBatch): Promise<number> {
    if (!this.accepting) throw new NotAcceptingError();
    const limit = this.retention.seriesLimitProblem(batch.feeds);
    if (limit !== undefined) throw tooManySeries(limit);
    const position = await this.log.append(batch);
    this.written += batch.feeds.length;
    this.batches++;
    return position;
  }

  stopAccepting(): void {
    this.accepting = false;
  }
}

function tooManySeries(problem: SeriesLimitProblem): ApiError {
  const { max, existing, adding } = problem;
  const [variable, over] =
    problem.limit === 'series'
      ? ['MAX_SERIES', `${existing} series exist`]
      : ['MAX_SERIES_PER_NAME', `${problem.name} has ${existing} series`];
  return new ApiError(
    400,
    'too_many_series',
    `this batch would create ${adding} new series past ${variable} (${max}; ${over}); nothing was stored`,
    [{ field: variable, reason: `at most ${max}` }],
  );
}
