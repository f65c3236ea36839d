import { feedNameProblem } from './feed-name.js';
import { labelsProblem, type Labels } from './series.js';

/** Largest timestamp a JavaScript Date can hold, in ms since the epoch. */
export const MAX_TIMESTAMP_MS = 8.64e15;

/**
 * One metric point as producers send it. `t` defaults to the server's time.
 * The point belongs to the series `seriesKey(feed, labels)`: without labels,
 * the series named `feed` alone.
 */
export interface Point {
  feed: string;
  labels?: Labels;
  /** Milliseconds since the epoch. */
  t?: number;
  v: number;
}

/** Why `t` is not an acceptable timestamp, or `undefined`. */
export function timestampProblem(t: unknown): string | undefined {
  if (typeof t !== 'number') return 't must be a number (ms since the epoch)';
  if (!Number.isFinite(t)) return 't must be finite';
  if (t < 0 || t > MAX_TIMESTAMP_MS) return `t must be between 0 and ${MAX_TIMESTAMP_MS} ms`;
  return undefined;
}

/** Why `v` is not an acceptable value, or `undefined`. */
export function valueProblem(v: unknown): string | undefined {
  if (typeof v !== 'number') return 'v must be a number';
  if (!Number.isFinite(v)) return 'v must be a finite number';
  return undefined;
}

/**
 * Why a decoded JSON value is not a valid point, or `undefined` when it is one.
 * Fields other than `feed`, `labels`, `t` and `v` are ignored.
 */
export function pointProblem(raw: unknown): string | undefined {
  const problem = unlabelledPointProblem(raw);
  if (problem !== undefined) return problem;
  const labels = (raw as { labels?: unknown }).labels;
  return labels === undefined ? undefined : labelsProblem(labels);
}

/**
 * {@link pointProblem} with the labels left unchecked, for a reader that
 * validates each distinct label set once rather than on every point.
 */
export function unlabelledPointProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'point must be an object';
  const point = raw as Record<string, unknown>;
  const feed = feedNameProblem(point.feed);
  if (feed !== undefined) return feed;
  if (point.t !== undefined) {
    const t = timestampProblem(point.t);
    if (t !== undefined) return t;
  }
  if (!('v' in point)) return 'v is required';
  return valueProblem(point.v);
}
