export interface StreamingModuleOptions {
  /** Points are kept this long after arrival (ms). */
  retentionMs: number;
  /** Points kept per feed. */
  retentionPoints: number;
  /** Byte budget for all retained points. */
  retentionBytes: number;
  /** Series one instance holds at most; a batch that would create more is refused whole. */
  maxSeries: number;
  /** Series one name may have at most, likewise. */
  maxSeriesPerName: number;
  /** The batch window (ms): one delivery tick per window. */
  batchMs: number;
  /** Heartbeat interval for idle streams (ms). */
  heartbeatMs: number;
  /** Points one frame may carry while a connection catches up. */
  maxFramePoints: number;
  /** A connection that has not drained for this long is closed (ms). */
  slowClientTimeoutMs: number;
  /** Feed names and patterns one connection may subscribe to. */
  maxSubscriptions: number;
  /** Longest `history` a connection may ask for, on any transport (ms). */
  maxHistoryMs: number;
  /**
   * Redis streams as the log, shared by every instance pointed at them; the
   * embedded log when absent. `partitions` splits it into several streams
   * (by the first `partitionSegments` segments of feed names), spread over
   * `partitionUrls` when given.
   */
  redis?: {
    url: string;
    key: string;
    partitions?: number;
    partitionSegments?: number;
    partitionUrls?: readonly string[];
  };
}

/** The token under which the application provides `StreamingModuleOptions`. */
export const STREAMING_OPTIONS = Symbol('STREAMING_OPTIONS');
