import type { LoggedBatch, PointBatch } from './point-batch.js';

export type BatchListener = (batch: LoggedBatch) => void;

/**
 * The ordered log every accepted batch is appended to. Positions are safe
 * integers that grow with every batch and mean the same on every reader of
 * the log; the epoch names this log's life, so that a position from another
 * life is recognised as stale.
 */
export interface Log {
  /** Names this log's life; changes when the log's history is gone (restart of an embedded log). */
  readonly epoch: string;
  /**
   * How many partitions the log is split into (absent: 1). A split log hands
   * out batches with their `partition` and `origin`, and `position`s of the
   * reader's own, increasing in the order it hands them out.
   */
  readonly partitions?: number;
  /** Whether appends can currently succeed. */
  isAvailable(): boolean;
  /**
   * Appends a batch whole. Resolves with its position once the log holds it;
   * rejects with `LogUnavailableError` when it cannot be stored.
   */
  append(batch: PointBatch): Promise<number>;
  /** Receives every batch appended from now on, in log order. Returns the unsubscribe function. */
  tail(listener: BatchListener): () => void;
  /**
   * For a log that outlives the process (shared by several instances): hands
   * its retained history to the listeners, then starts tailing. Called once,
   * after the listeners are in and before the instance serves.
   */
  warmUp?(): Promise<void>;
  close(): Promise<void>;
}

/** The log cannot take appends right now; nothing of the batch was stored. */
export class LogUnavailableError extends Error {
  constructor(message = 'the log is unavailable') {
    super(message);
    this.name = 'LogUnavailableError';
  }
}
