import type { WriteLimitsOptions } from './write-limits.js';

/** Where dashboards and annotations are kept, and what users may store there (`WriteLimitsOptions`). */
export interface DashboardsModuleOptions extends WriteLimitsOptions {
  /** Directory of the durable state; created when missing. The database is `<dataDir>/pulseboard.db`. */
  dataDir: string;
  /** Dashboard documents nested deeper than this are refused; default `DEFAULT_MAX_JSON_DEPTH`. */
  maxJsonDepth?: number;
  /** Keep dashboards and annotations in this Redis (under `prefix`), shared by every instance, instead of SQLite. */
  redis?: { url: string; prefix: string };
}

/** The token under which the application provides `DashboardsModuleOptions`. */
export const DASHBOARDS_OPTIONS = Symbol('DASHBOARDS_OPTIONS');
