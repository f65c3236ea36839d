/** How a value moved over the window. */
export interface StatTrend {
  direction: 'up' | 'down' | 'flat';
  /** `last - first`. */
  change: number;
  /** The change relative to the first value, in percent; undefined when that was 0. */
  percent?: number;
}

/** A move smaller than this share of the values' size shows as flat (noise, rounding). */
const FLAT_SHARE = 1e-3;

/** The trend from the first value of the window to the last. */
export function statTrend(first: number | undefined, last: number | undefined): StatTrend | undefined {
  if (first === undefined || last === undefined || !Number.isFinite(first) || !Number.isFinite(last)) return undefined;
  const change = last - first;
  const size = Math.max(Math.abs(first), Math.abs(last));
  const direction = Math.abs(change) <= size * FLAT_SHARE ? 'flat' : change > 0 ? 'up' : 'down';
  return first === 0 ? { direction, change } : { direction, change, percent: (change / Math.abs(first)) * 100 };
}
