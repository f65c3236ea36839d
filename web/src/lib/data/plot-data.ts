import type { SeriesBuffer } from './series-buffer';

/**
 * uPlot's aligned data: one time column (ms) and one value column per line.
 * `null` is a break in the line (a gap); `undefined` is "this line has no
 * point at this time", which uPlot bridges.
 */
export type PlotColumns = [number[], ...(number | null | undefined)[][]];

/** One feed's points in a window, decimated for drawing. */
export interface DecimatedSeries {
  t: number[];
  v: (number | null)[];
}

/** What a legend and a stat show of one feed in a window. */
export interface WindowStats {
  /** The first and last points in the window (undefined when it holds none). */
  first?: number;
  last?: number;
  lastTime?: number;
  min?: number;
  max?: number;
  count: number;
}

/** First, last, minimum and maximum of the points with `from ≤ t ≤ to`. */
export function windowStats(buffer: SeriesBuffer, from: number, to: number): WindowStats {
  const start = buffer.lowerBound(from);
  const end = buffer.upperBound(to);
  if (end <= start) return { count: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const v = buffer.valueAt(i);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    first: buffer.valueAt(start),
    last: buffer.valueAt(end - 1),
    lastTime: buffer.timeAt(end - 1),
    min,
    max,
    count: end - start,
  };
}

/**
 * The points of `[from, to]` reduced to at most two per pixel column: the
 * minimum and the maximum of each column, in time order, so spikes survive
 * (the M4 idea, Jugel et al., VLDB 2014). Columns are anchored to absolute
 * time, so a sliding window does not make the line shimmer. One point on
 * each side of the window is kept so the line runs to the edges. A break
 * (`null`) is put in the middle of every gap.
 */
export function decimate(buffer: SeriesBuffer, from: number, to: number, width: number): DecimatedSeries {
  const out: DecimatedSeries = { t: [], v: [] };
  const start = Math.max(0, buffer.lowerBound(from) - 1);
  const end = Math.min(buffer.length, buffer.upperBound(to) + 1);
  if (end <= start) return out;
  const columnMs = Math.max(1e-9, (to - from) / Math.max(1, width));
  const gaps = buffer.gaps;

  let column = NaN;
  let lo = -1;
  let hi = -1;
  const flush = () => {
    if (lo < 0) return;
    const first = Math.min(lo, hi);
    const second = Math.max(lo, hi);
    out.t.push(buffer.timeAt(first));
    out.v.push(buffer.valueAt(first));
    if (second !== first) {
      out.t.push(buffer.timeAt(second));
      out.v.push(buffer.valueAt(second));
    }
    lo = hi = -1;
  };

  let g = 0;
  let previous = -Infinity;
  for (let i = start; i < end; i++) {
    const t = buffer.timeAt(i);
    while (g < gaps.length && gaps[g].to <= t) {
      const gap = gaps[g++];
      if (gap.from >= previous && gap.from < gap.to && i > start) {
        flush();
        out.t.push((gap.from + gap.to) / 2);
        out.v.push(null);
        column = NaN;
      }
    }
    previous = t;
    const c = Math.floor(t / columnMs);
    if (c !== column) {
      flush();
      column = c;
      lo = hi = i;
      continue;
    }
    const v = buffer.valueAt(i);
    if (v < buffer.valueAt(lo)) lo = i;
    if (v > buffer.valueAt(hi)) hi = i;
  }
  flush();
  return out;
}

/**
 * Joins several feeds on one time column, as uPlot needs: every time of any
 * feed is a row, and a feed without a point at that time gets `undefined`
 * there (bridged), keeping its own `null` breaks. A k-way merge of the
 * already sorted inputs.
 */
export function alignSeries(series: readonly DecimatedSeries[]): PlotColumns {
  const times: number[] = [];
  const columns: (number | null | undefined)[][] = series.map(() => []);
  const next = series.map(() => 0);
  for (;;) {
    let time = Infinity;
    for (let k = 0; k < series.length; k++) {
      const at = next[k];
      if (at < series[k].t.length && series[k].t[at] < time) time = series[k].t[at];
    }
    if (time === Infinity) break;
    times.push(time);
    for (let k = 0; k < series.length; k++) {
      const at = next[k];
      if (at < series[k].t.length && series[k].t[at] === time) {
        columns[k].push(series[k].v[at]);
        next[k] = at + 1;
      } else {
        columns[k].push(undefined);
      }
    }
  }
  return [times, ...columns];
}
