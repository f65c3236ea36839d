import type { FeedChunk } from '@pulseboard/protocol';

/** Columnar chart data as uPlot takes it: time in seconds, then values. */
export type Columns = [t: number[], v: number[]];

/**
 * Appends a chunk (times in ms) and drops everything older than `windowSec` before the newest point.
 * Returns new arrays so `$state.raw` readers see the change; the input is left untouched.
 */
export function appendWindow([t, v]: Columns, chunk: FeedChunk, windowSec: number): Columns {
  const count = Math.min(chunk.t.length, chunk.v.length);
  if (count === 0) return [t, v];

  let times = t.concat(chunk.t.slice(0, count).map((ms) => ms / 1000));
  let values = v.concat(chunk.v.slice(0, count));
  // Producers may send explicit, out-of-order timestamps; uPlot needs ascending x.
  if (!ascendingFrom(times, Math.max(t.length - 1, 0))) [times, values] = sortByTime(times, values);

  const start = firstAtOrAfter(times, times[times.length - 1] - windowSec);
  // Both arrays are fresh copies here, so trimming them in place is safe.
  times.splice(0, start);
  values.splice(0, start);
  return [times, values];
}

function ascendingFrom(times: number[], from: number): boolean {
  for (let i = from + 1; i < times.length; i++) if (times[i] < times[i - 1]) return false;
  return true;
}

function sortByTime(times: number[], values: number[]): Columns {
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  return [order.map((i) => times[i]), order.map((i) => values[i])];
}

function firstAtOrAfter(sorted: number[], bound: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
