import type uPlot from 'uplot';
import { formatValue } from '../data/format';
import type { ChartTheme } from './chart-theme';

export interface PlotOptionsInput {
  size: { width: number; height: number };
  /** The ids of the chart's lines, in order. */
  lines: readonly string[];
  theme: ChartTheme;
  /** The x range (ms) of the next draw: the window ending now, or where a paused chart stopped. */
  range: () => [number, number];
  windowMs: () => number;
  /** uPlot resized its plotting area. */
  onSize: () => void;
}

/**
 * A time-series chart's uPlot options: times in ms, an x range set by the
 * panel (not by the data), one colour per line from the theme, uPlot's own
 * legend off (the panel draws its own with last/min/max).
 */
export function plotOptions(input: PlotOptionsInput): uPlot.Options {
  const { theme } = input;
  const axis: uPlot.Axis = {
    stroke: theme.axis,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1, size: 4 },
    font: '11px system-ui, sans-serif',
  };
  return {
    ...input.size,
    ms: 1,
    legend: { show: false },
    // the x range follows the clock at every draw, which would undo a drag-zoom at once
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
    scales: { x: { time: true, range: () => input.range() } },
    series: [
      {},
      ...input.lines.map((line, i): uPlot.Series => ({
        label: line,
        stroke: theme.series[i % theme.series.length],
        width: 1.5,
        // uPlot shows points by itself where the line is sparse, so a lone point is still seen
      })),
    ],
    axes: [
      {
        ...axis,
        size: 30,
        space: 72,
        values: (_plot, splits) => splits.map((t) => formatTick(t, input.windowMs())),
      },
      { ...axis, size: 52, values: (_plot, splits) => splits.map((value) => formatValue(value)) },
    ],
    hooks: { setSize: [() => input.onSize()] },
  };
}

/** The chart's size: its container's, with a floor so axes always fit. */
export function plotSize(container: HTMLElement): { width: number; height: number } {
  return {
    width: Math.max(120, Math.floor(container.clientWidth)),
    height: Math.max(80, Math.floor(container.clientHeight)),
  };
}

// 24-hour ticks stay short enough for narrow panels
const clockSeconds = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const clockMinutes = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });

/** A time tick: to the second on short windows, to the minute on the hour window. */
function formatTick(t: number, windowMs: number): string {
  return (windowMs > 900_000 ? clockMinutes : clockSeconds).format(t);
}
