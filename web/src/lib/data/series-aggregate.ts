import type { PanelAggregate } from '@pulseboard/protocol';
import type { DecimatedSeries, WindowStats } from './plot-data';
import type { SeriesBuffer } from './series-buffer';

/**
 * How long a series' newest value still counts for a step (ms): agents that
 * report every 10 or 15 s (Telegraf, Prometheus scrapes) stay in a sum
 * between their reports, and a series that stopped leaves it within half a
 * minute. PromQL's lookback works the same way, with 5 minutes.
 */
export const AGGREGATE_LOOKBACK_MS = 30_000;

/**
 * Several series combined into one line, for a group (`groupBy`) or a stat
 * panel. The window is cut into steps one pixel column wide, anchored to
 * absolute time so a sliding window does not shimmer, plus a last step at
 * `to`. At each step every series counts with its newest value at or before
 * the step, when that value is at most {@link AGGREGATE_LOOKBACK_MS} old
 * (or two steps, on windows whose steps are longer), and the step's value
 * is the aggregate of those (`sum`, `avg`, `min`, `max`). Series sampled at
 * different moments therefore add up rather than take turns. A step no
 * series counts in breaks the line. Continuity gaps of the series are not
 * drawn in the combined line.
 */
export function aggregateBuffers(
  buffers: readonly SeriesBuffer[],
  aggregate: PanelAggregate,
  from: number,
  to: number,
  width: number,
): DecimatedSeries {
  const out: DecimatedSeries = { t: [], v: [] };
  if (buffers.length === 0 || !(to > from)) return out;
  const step = Math.max(1, (to - from) / Math.max(1, width));
  const lookback = Math.max(AGGREGATE_LOOKBACK_MS, 2 * step);
  const next = buffers.map((buffer) => buffer.lowerBound(from - lookback));
  let drawn = false;
  const at = (time: number) => {
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let k = 0; k < buffers.length; k++) {
      const buffer = buffers[k];
      let i = next[k];
      while (i < buffer.length && buffer.timeAt(i) <= time) i++;
      next[k] = i;
      if (i === 0 || time - buffer.timeAt(i - 1) > lookback) continue;
      const v = buffer.valueAt(i - 1);
      count++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (count === 0) {
      // one break after the line, not one per empty step
      if (drawn) {
        out.t.push(time);
        out.v.push(null);
        drawn = false;
      }
      return;
    }
    out.t.push(time);
    out.v.push(combine(aggregate, sum, count, min, max));
    drawn = true;
  };
  for (let k = Math.ceil(from / step); k * step < to; k++) at(k * step);
  at(to);
  return out;
}

function combine(aggregate: PanelAggregate, sum: number, count: number, min: number, max: number): number {
  switch (aggregate) {
    case 'sum':
      return sum;
    case 'avg':
      return sum / count;
    case 'min':
      return min;
    case 'max':
      return max;
  }
}

/** First, last, minimum and maximum of a combined line's values with `from ≤ t ≤ to`. */
export function lineStats(line: DecimatedSeries, from: number, to: number): WindowStats {
  const stats: WindowStats = { count: 0 };
  for (let i = 0; i < line.t.length; i++) {
    const t = line.t[i];
    const v = line.v[i];
    if (t < from || t > to || v === null) continue;
    stats.first ??= v;
    stats.last = v;
    stats.lastTime = t;
    stats.min = Math.min(stats.min ?? Infinity, v);
    stats.max = Math.max(stats.max ?? -Infinity, v);
    stats.count++;
  }
  return stats;
}

/** The series of each value of `label` (missing reads as ""), values in order. */
export function groupByLabel<T>(
  series: readonly T[],
  labelsOf: (item: T) => Readonly<Record<string, string>>,
  label: string,
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of series) {
    const labels = labelsOf(item);
    const value = Object.hasOwn(labels, label) ? labels[label] : '';
    const members = groups.get(value);
    if (members === undefined) groups.set(value, [item]);
    else members.push(item);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
