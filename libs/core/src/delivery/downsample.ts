import type { PointColumns } from '../retention/feed.js';

/**
 * Reduces a series to at most `budget` points by splitting it into
 * `budget / 2` buckets of equal point count and keeping each bucket's minimum
 * and maximum, in their original order. Peaks and troughs survive, which is
 * what a line chart needs (the idea of M4, Jugel et al., VLDB 2014, with the
 * first/last of each bucket left out to halve the cost).
 */
export function downsampleMinMax(points: PointColumns, budget: number): PointColumns {
  const n = points.t.length;
  if (n <= budget) return points;
  const buckets = Math.max(1, Math.floor(budget / 2));
  const t = new Float64Array(buckets * 2);
  const v = new Float64Array(buckets * 2);
  let k = 0;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    let min = from;
    let max = from;
    for (let i = from + 1; i < to; i++) {
      const value = points.v[i];
      if (value < points.v[min]) min = i;
      else if (value > points.v[max]) max = i;
    }
    const first = min < max ? min : max;
    const second = min < max ? max : min;
    t[k] = points.t[first];
    v[k] = points.v[first];
    k++;
    if (second !== first) {
      t[k] = points.t[second];
      v[k] = points.v[second];
      k++;
    }
  }
  return { t: t.subarray(0, k), v: v.subarray(0, k) };
}
