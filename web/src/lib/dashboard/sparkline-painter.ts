import type { DecimatedSeries } from '../data/plot-data';

/**
 * Paints a sparkline: the line of `series` over `[from, to]` scaled to its
 * own range, with a faint fill below. `null` breaks the line. The canvas is
 * sized for the device's pixel ratio by the caller.
 */
export function paintSparkline(
  context: CanvasRenderingContext2D,
  series: DecimatedSeries,
  from: number,
  to: number,
  color: string,
): void {
  const { width, height } = context.canvas;
  context.clearRect(0, 0, width, height);
  let min = Infinity;
  let max = -Infinity;
  for (const v of series.v) {
    if (v === null) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity || to <= from) return;
  // a flat line sits in the middle; a 2-pixel margin keeps the stroke inside
  const span = max - min || 1;
  const pad = 2 * (window.devicePixelRatio || 1);
  const x = (t: number) => ((t - from) / (to - from)) * width;
  const y = (v: number) => (max === min ? height / 2 : pad + (1 - (v - min) / span) * (height - 2 * pad));

  context.lineWidth = 1.5 * (window.devicePixelRatio || 1);
  context.lineJoin = 'round';
  context.strokeStyle = color;
  context.fillStyle = color;
  let start = -1;
  const close = (end: number) => {
    if (start < 0) return;
    context.stroke();
    // the fill under the same run, much fainter
    context.lineTo(x(series.t[end]), height);
    context.lineTo(x(series.t[start]), height);
    context.globalAlpha = 0.12;
    context.fill();
    context.globalAlpha = 1;
    start = -1;
  };
  for (let i = 0; i < series.t.length; i++) {
    const v = series.v[i];
    if (v === null) {
      close(i - 1);
      continue;
    }
    if (start < 0) {
      context.beginPath();
      context.moveTo(x(series.t[i]), y(v));
      start = i;
    } else {
      context.lineTo(x(series.t[i]), y(v));
    }
  }
  close(series.t.length - 1);
}
