export interface ObservabilityModuleOptions {
  /** Write the server's own metrics as `pulseboard.>` feeds. */
  selfMetrics: boolean;
  /** How often those feeds get a point (ms). */
  selfMetricsIntervalMs: number;
  /**
   * What the feeds' names start with: `pulseboard` for one instance, and
   * `pulseboard.<instance>` when several share a log, so that each instance's
   * figures stay its own.
   */
  selfMetricsPrefix?: string;
}

/** The token under which the application provides `ObservabilityModuleOptions`. */
export const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');
