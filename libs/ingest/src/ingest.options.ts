export interface IngestModuleOptions {
  /** Largest accepted body in bytes (after decompression). */
  maxBodyBytes: number;
  /** Most points in one batch. */
  maxBatchPoints: number;
  /** Points per second per client; 0 turns rate limiting off. */
  rateLimit: number;
  /** Points a client may send at once before the rate applies. */
  rateBurst: number;
  /** JSON bodies nested deeper than this are refused. */
  maxJsonDepth: number;
}

/** The token under which the application provides `IngestModuleOptions`. */
export const INGEST_OPTIONS = Symbol('INGEST_OPTIONS');
