import type { PointBatch } from '@pulseboard/core';
import type { ErrorDetail, IgnoredField } from '@pulseboard/protocol';

/** Why a whole body was refused; `details` names each bad point or line. */
export interface ParseFailure {
  ok: false;
  code: 'invalid_json' | 'invalid_body' | 'invalid_points' | 'too_many_points' | 'json_too_deep' | 'forbidden_key';
  message: string;
  details: ErrorDetail[];
}

/** A body that parsed whole: every point valid, in body order. */
export interface ParseSuccess {
  ok: true;
  batch: PointBatch;
  /** Things deliberately not stored (string fields of line protocol). */
  ignored: IgnoredField[];
}

export type ParseResult = ParseSuccess | ParseFailure;

export interface ParseOptions {
  /** Server time (ms) given to points without a timestamp. */
  now: number;
  /** More points than this and the body is refused with `too_many_points`. */
  maxPoints: number;
  /** At most this many entries in `details`; the message says when more were found. */
  maxDetails: number;
  /** JSON nested deeper than this is refused with `json_too_deep`; default `DEFAULT_MAX_JSON_DEPTH`. */
  maxDepth?: number;
}
