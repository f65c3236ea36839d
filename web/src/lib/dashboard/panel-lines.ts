import type { PanelAggregate } from '@pulseboard/protocol';
import { decimate, windowStats, type DecimatedSeries, type WindowStats } from '../data/plot-data';
import { aggregateBuffers, groupByLabel, lineStats } from '../data/series-aggregate';
import type { SeriesBuffer } from '../data/series-buffer';
import { legendNames, seriesIdOf } from '../data/series-names';

/** How a chart combines its series: one line each, or one per value of `groupBy`. */
export interface Grouping {
  groupBy?: string;
  aggregate: PanelAggregate;
}

/** A series as a chart has it. */
export interface LineSource {
  key: string;
  buffer: SeriesBuffer;
}

/** One line of a chart, and what its legend row shows. */
export interface PanelLine {
  /** Stays the same across draws: the series key, or `label=value` for a group. */
  id: string;
  /** What the legend calls it. */
  name: string;
  /** Its tooltip: the full series key, or what the group combines. */
  title: string;
  data: DecimatedSeries;
  stats: WindowStats;
  /** Time of the newest point of its series (`NaN` before any). */
  newest: number;
}

/**
 * A chart's lines over `[from, to]` at `width` pixels: each series
 * decimated and named by the labels that differ between them, or, grouped,
 * one combined line per value of the label (see {@link aggregateBuffers}).
 */
export function panelLines(
  series: readonly LineSource[],
  grouping: Grouping,
  from: number,
  to: number,
  width: number,
): PanelLine[] {
  const { groupBy, aggregate } = grouping;
  if (groupBy === undefined) {
    const names = legendNames(series.map((s) => s.key));
    return series.map(({ key, buffer }, i) => ({
      id: key,
      name: names[i],
      title: key,
      data: decimate(buffer, from, to, width),
      stats: windowStats(buffer, from, to),
      newest: buffer.lastTime,
    }));
  }
  const groups = groupByLabel(series, (s) => seriesIdOf(s.key).labels, groupBy);
  return [...groups].map(([value, members]) => {
    const data = aggregateBuffers(
      members.map((m) => m.buffer),
      aggregate,
      from,
      to,
      width,
    );
    const label = value === '' ? `(no ${groupBy})` : `${groupBy}=${value}`;
    const count = `${members.length} series`;
    return {
      id: `${groupBy}=${value}`,
      name: label,
      title: `${aggregate} of ${count} ${value === '' ? `without ${groupBy}` : `with ${label}`}`,
      data,
      stats: lineStats(data, from, to),
      newest: newestOf(members.map((m) => m.buffer)),
    };
  });
}

/** Time of the newest point among `buffers`, `NaN` when they hold none. */
export function newestOf(buffers: readonly SeriesBuffer[]): number {
  let newest = -Infinity;
  for (const buffer of buffers) if (buffer.lastTime > newest) newest = buffer.lastTime;
  return newest === -Infinity ? NaN : newest;
}
