import { DASHBOARD_COLUMNS, type DashboardDocument, type Panel } from '@pulseboard/protocol';

/** Rows a feed's chart takes when it is added to a dashboard. */
const PANEL_HEIGHT = 8;

/** The chart of one feed, as the single-feed view draws it. */
export function feedPanel(feed: string): Panel {
  return { id: 'feed', kind: 'timeseries', title: feed, unit: '', feeds: [feed], x: 0, y: 0, w: 12, h: PANEL_HEIGHT };
}

/**
 * `document` with a full-width chart of `feed` below all its panels. The
 * panel's id is the first free `feed-<n>` (panel ids are `A-Z a-z 0-9 _ -`).
 */
export function withFeedPanel(document: DashboardDocument, feed: string): DashboardDocument {
  const ids = new Set(document.panels.map((panel) => panel.id));
  let n = 1;
  while (ids.has(`feed-${n}`)) n++;
  const bottom = Math.max(0, ...document.panels.map((panel) => panel.y + panel.h));
  const panel: Panel = { ...feedPanel(feed), id: `feed-${n}`, y: bottom, w: DASHBOARD_COLUMNS };
  return { title: document.title, window: document.window, panels: [...document.panels, panel] };
}
