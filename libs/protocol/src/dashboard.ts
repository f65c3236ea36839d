/** Longest accepted dashboard id, in characters. */
export const DASHBOARD_ID_MAX_LENGTH = 128;

const DASHBOARD_ALPHABET = /^[A-Za-z0-9_\-:.]+$/;

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

/** Someone viewing a dashboard. */
export interface Viewer {
  id: string;
  name: string;
}
