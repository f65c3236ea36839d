import type { Labels } from './series.js';

/** A feed's points in one message: parallel arrays of timestamps (ms) and values. */
export interface FeedChunk {
  t: number[];
  v: number[];
}

/** Points grouped by feed name. */
export type FeedChunks = Record<string, FeedChunk>;

/** Why continuity was lost for some feeds. */
export type GapReason = 'retention' | 'slow' | 'epoch';

/** SSE `hello`: first event of every stream. */
export interface HelloEvent {
  /** Identifies this stream to the control socket. */
  session: string;
  /** The server's batch window in ms: at most one `points` event per window. */
  batchMs: number;
}

/** SSE `points`: the new points of the stream's feeds; its `id:` is the cursor. */
export interface PointsEvent {
  feeds: FeedChunks;
}

/** SSE `gap`: continuity was lost for these feeds. */
export interface GapEvent {
  feeds: string[];
  reason: GapReason;
}

/** SSE `error`: the server ends the stream for this reason. */
export interface StreamErrorEvent {
  code: string;
  message: string;
}

/** Answer of `GET /api/v1/poll`. */
export interface PollResponse {
  cursor: string;
  feeds: FeedChunks;
  /** Present when continuity was lost since `cursor` for some feeds. */
  gap?: GapEvent;
}

/** One entry of `GET /api/v1/feeds`: one series. */
export interface FeedInfo {
  /** The series key: `name`, or `name{k="v",…}` with keys sorted. */
  series: string;
  /** The feed (metric) name. */
  name: string;
  /** The series' labels; `{}` for a series without. */
  labels: Labels;
  /** Points per second over the last 10 s. */
  rate: number;
  last: { t: number; v: number } | null;
  /** Points currently held in retention. */
  retained: number;
}

/** A field of a line-protocol line that was deliberately not stored. */
export interface IgnoredField {
  line: number;
  field: string;
  reason: string;
}

/** Answer of a successful `POST /api/v1/ingest` (202). */
export interface IngestResponse {
  accepted: number;
  ignored?: IgnoredField[];
}

/** Answer of `GET /health/live` and `GET /health/ready`. */
export interface HealthResponse {
  status: 'ok' | 'ready' | 'not_ready';
  checks?: Record<string, boolean>;
}

/** The SSE event names of a stream. */
export type StreamEventName = 'hello' | 'points' | 'gap' | 'error';
