import { ConfigurableModuleBuilder } from '@nestjs/common';

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

export const {
  ConfigurableModuleClass: ObservabilityConfigurableModule,
  MODULE_OPTIONS_TOKEN: OBSERVABILITY_OPTIONS,
  OPTIONS_TYPE: OBSERVABILITY_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ObservabilityModuleOptions>().setClassMethodName('forRoot').build();
