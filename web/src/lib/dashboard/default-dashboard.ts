import { DASHBOARD_COLUMNS, type DashboardDocument, type Panel } from '@pulseboard/protocol';

/** Feeds the default dashboard shows at most. */
export const DEFAULT_DASHBOARD_FEEDS = 8;
/** Of those, the first ones are big numbers; the rest are charts. */
const STAT_PANELS = 2;
const STAT_HEIGHT = 2;
const CHART_HEIGHT = 4;
const HALF = DASHBOARD_COLUMNS / 2;

/**
 * What `#/d/home` shows before anyone saved it: an "Overview" of the first
 * feeds by name, two stat panels and a chart for each of the others, two per
 * row. It is saved on its first edit.
 */
export function defaultDashboard(feeds: readonly string[]): DashboardDocument {
  const names = [...new Set(feeds)].sort().slice(0, DEFAULT_DASHBOARD_FEEDS);
  const stats = names.slice(0, STAT_PANELS);
  const charts = names.slice(STAT_PANELS);
  const statWidth = DASHBOARD_COLUMNS / Math.max(1, stats.length);
  const chartTop = stats.length > 0 ? STAT_HEIGHT : 0;
  const panels: Panel[] = [
    ...stats.map((feed, i) => panelOf('stat', feed, i + 1, { x: i * statWidth, y: 0, w: statWidth, h: STAT_HEIGHT })),
    ...charts.map((feed, i) => {
      // a lone last chart takes the whole row
      const w = i === charts.length - 1 && i % 2 === 0 ? DASHBOARD_COLUMNS : HALF;
      const place = { x: (i % 2) * HALF, y: chartTop + Math.floor(i / 2) * CHART_HEIGHT, w, h: CHART_HEIGHT };
      return panelOf('timeseries', feed, stats.length + i + 1, place);
    }),
  ];
  return { title: 'Overview', window: '5m', panels };
}

function panelOf(kind: Panel['kind'], feed: string, n: number, place: Pick<Panel, 'x' | 'y' | 'w' | 'h'>): Panel {
  return { id: `p${n}`, kind, title: feed, unit: guessUnit(feed), feeds: [feed], ...place };
}

/** A unit read off a feed's name (`api.latency_ms` → `ms`), or none. */
export function guessUnit(feed: string): string {
  const last = feed.split('.').at(-1) ?? '';
  const suffix = /(?:^|_)(ms|s|us|ns|bytes|pct|percent|per_s|rps)$/i.exec(last)?.[1]?.toLowerCase();
  switch (suffix) {
    case 'per_s':
    case 'rps':
      return '/s';
    case 'pct':
    case 'percent':
      return '%';
    case 'us':
      return 'µs';
    case undefined:
      return /(?:^|\.)cpu(?:\.|$)/i.test(feed) ? '%' : '';
    default:
      return suffix;
  }
}
