import { ConfigurableModuleBuilder } from '@nestjs/common';
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

export const {
  ConfigurableModuleClass: DashboardsConfigurableModule,
  MODULE_OPTIONS_TOKEN: DASHBOARDS_OPTIONS,
  OPTIONS_TYPE: DASHBOARDS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DASHBOARDS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DashboardsModuleOptions>().setClassMethodName('forRoot').build();
