/** Longest accepted dashboard id, in characters. */
export const DASHBOARD_ID_MAX_LENGTH = 128;

const DASHBOARD_ALPHABET = /^[A-Za-z0-9_\-:.]+$/;

/**
 * The dashboard every server has: the dashboard UI shows a default
 * ("Overview") under this id until someone saves it, and it may be annotated
 * before that.
 */
export const HOME_DASHBOARD_ID = 'home';

/** Longest annotation text, in characters. */
export const ANNOTATION_TEXT_MAX_LENGTH = 2000;

/**
 * Why `id` is not a valid dashboard id, or `undefined` when it is one:
 * 1–128 characters of `A-Z a-z 0-9 _ - : .`.
 */
export function dashboardIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'dashboard must be a string';
  if (id.length === 0) return 'dashboard must not be empty';
  if (id.length > DASHBOARD_ID_MAX_LENGTH) return `dashboard must be at most ${DASHBOARD_ID_MAX_LENGTH} characters`;
  if (!DASHBOARD_ALPHABET.test(id)) return 'dashboard may only contain A-Z a-z 0-9 _ - : .';
  return undefined;
}

/**
 * Why `text` is not a valid annotation text, or `undefined` when it is one:
 * 1–2,000 characters, no NUL.
 */
export function annotationTextProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return 'text must be a string';
  if (text.length === 0) return 'text must not be empty';
  if (text.length > ANNOTATION_TEXT_MAX_LENGTH) return `text must be at most ${ANNOTATION_TEXT_MAX_LENGTH} characters`;
  // NUL ends strings in many consumers (C clients, some terminals and log pipelines)
  if (text.includes('\0')) return 'text must not contain NUL characters';
  return undefined;
}

/** A note pinned to a moment of a dashboard, shown to everyone who views it. */
export interface Annotation {
  id: string;
  dashboard: string;
  /** The moment it marks, in ms since the epoch. */
  t: number;
  text: string;
  /** The feed it is about, or `null` for the whole dashboard. */
  feed: string | null;
  /** Display name of who wrote it. */
  author: string;
}

/** `annotation_removed` on the control socket: an annotation of a dashboard the socket joined was deleted. */
export interface AnnotationRemovedEvent {
  dashboard: string;
  id: string;
}

/** Someone viewing a dashboard. */
export interface Viewer {
  id: string;
  name: string;
}

/** The time windows a dashboard can show. */
export const TIME_WINDOWS = ['1m', '5m', '15m', '1h'] as const;
export type TimeWindow = (typeof TIME_WINDOWS)[number];

/** Milliseconds of each time window. */
export const TIME_WINDOW_MS: Readonly<Record<TimeWindow, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
};

/** Columns of the dashboard grid; panel `x` and `w` are in these. */
export const DASHBOARD_COLUMNS = 12;

/**
 * Bounds of a saved dashboard document, checked by the server on every save.
 * Lengths are in characters (UTF-16 code units); `y` and `h` are in grid rows.
 */
export const DASHBOARD_LIMITS = {
  titleMaxLength: 200,
  maxPanels: 100,
  panelIdMaxLength: 64,
  panelTitleMaxLength: 200,
  panelUnitMaxLength: 32,
  panelMaxFeeds: 20,
  panelMaxY: 1000,
  panelMaxHeight: 50,
} as const;

/** What a panel draws: a time-series chart of its feeds, or one big last value with its trend. */
export type PanelKind = 'timeseries' | 'stat';

/** How a panel combines several series into one line (a group's, or a stat's). */
export const PANEL_AGGREGATES = ['sum', 'avg', 'min', 'max'] as const;
export type PanelAggregate = (typeof PANEL_AGGREGATES)[number];

/** The aggregate of a panel that names none. */
export const DEFAULT_PANEL_AGGREGATE: PanelAggregate = 'avg';

/** One panel of a dashboard, placed on a 12-column grid (`x`, `w` in columns; `y`, `h` in rows). */
export interface Panel {
  /** Unique within its dashboard; `A-Z a-z 0-9 _ -`. */
  id: string;
  kind: PanelKind;
  title: string;
  /** Shown after values, e.g. `ms`, `%`; may be empty. */
  unit: string;
  /**
   * Selectors: feed names or patterns, optionally with label matchers
   * (`cpu.usage`, `cpu.usage{host=~"a|b"}`). A chart draws every series they
   * match; a stat panel shows the series of the first (combined with
   * `aggregate` when it matches several).
   */
  feeds: string[];
  /** A label key: a chart then draws one line per value of it, combining the series that share one. */
  groupBy?: string;
  /** How series are combined (per group, or for a stat); `avg` when absent. */
  aggregate?: PanelAggregate;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What a client sends to create or replace a dashboard. */
export interface DashboardDocument {
  title: string;
  window: TimeWindow;
  panels: Panel[];
}

/** A saved dashboard. */
export interface Dashboard extends DashboardDocument {
  id: string;
  /** ms since the epoch. */
  createdAt: number;
  updatedAt: number;
  /** Token subject of whoever created it: they (and admins) may change or delete it. `null` in open mode. */
  owner?: string | null;
}

/** One entry of `GET /api/v1/dashboards`. */
export interface DashboardSummary {
  id: string;
  title: string;
  panels: number;
  updatedAt: number;
}
