/** The colours a chart draws with, read from the page's CSS variables so they follow the theme. */
export interface ChartTheme {
  series: string[];
  axis: string;
  grid: string;
  cursor: string;
}

/** Used where a variable is missing (a page without the app's stylesheet): mid tones that read on light and dark. */
const FALLBACK: ChartTheme = {
  series: ['#3b82f6', '#f97316', '#22c55e', '#ec4899', '#8b5cf6', '#06b6d4', '#eab308', '#d946ef'],
  axis: '#888888',
  grid: 'rgba(128, 128, 128, 0.18)',
  cursor: 'rgba(128, 128, 128, 0.5)',
};

/** The variables `app.css` defines (`--series-1` … `--series-8`, `--chart-*`). */
export function readChartTheme(element: Element): ChartTheme {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    series: FALLBACK.series.map((color, i) => read(`--series-${i + 1}`, color)),
    axis: read('--chart-axis', FALLBACK.axis),
    grid: read('--chart-grid', FALLBACK.grid),
    cursor: read('--chart-cursor', FALLBACK.cursor),
  };
}

/** The CSS expression of feed `index`'s colour, for legends drawn in HTML. */
export function seriesColorVar(index: number): string {
  return `var(--series-${(index % FALLBACK.series.length) + 1}, ${FALLBACK.series[index % FALLBACK.series.length]})`;
}

/**
 * Calls `listener` when the theme may have changed: the shell switches
 * `<html data-theme>`, and the system preference can change under "auto".
 */
export function watchTheme(listener: () => void): () => void {
  const observer = new MutationObserver(listener);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class', 'style'] });
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  media?.addEventListener('change', listener);
  return () => {
    observer.disconnect();
    media?.removeEventListener('change', listener);
  };
}
