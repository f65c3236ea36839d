import type { SparklineData } from './explorer.svelte';

export interface SparklinePaths {
  /** The line through the points. */
  line: string;
  /** The same line closed down to the baseline, for a fill. */
  area: string;
}

/**
 * SVG paths of a sparkline in a `width` × `height` box. Time runs over the
 * data's whole window (`from`..`to`), so a feed that went quiet shows where
 * it stopped; values span the box's height, a flat feed sits in the middle.
 */
export function sparklinePaths(data: SparklineData, width: number, height: number, inset = 1.5): SparklinePaths {
  const count = Math.min(data.t.length, data.v.length);
  if (count === 0 || data.to <= data.from) return { line: '', area: '' };

  // Producers may send explicit, out-of-order times; the line is drawn left to right.
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => data.t[a] - data.t[b]);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    min = Math.min(min, data.v[i]);
    max = Math.max(max, data.v[i]);
  }

  const span = data.to - data.from;
  const x = (t: number) => round((Math.min(Math.max(t - data.from, 0), span) / span) * width);
  const usable = height - 2 * inset;
  const y = (v: number) => round(max === min ? height / 2 : inset + (1 - (v - min) / (max - min)) * usable);

  const coordinates = order.map((i) => `${x(data.t[i])},${y(data.v[i])}`);
  // A lone point is a zero-length line, which a round cap draws as a dot.
  if (count === 1) return { line: `M${coordinates[0]}h0`, area: '' };
  const line = `M${coordinates.join('L')}`;
  const first = x(data.t[order[0]]);
  const last = x(data.t[order[count - 1]]);
  return { line, area: `${line}L${last},${height}L${first},${height}Z` };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
