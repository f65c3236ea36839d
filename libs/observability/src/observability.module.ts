import { Module, type DynamicModule } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { MetricsService } from './metrics.service.js';
import { OBSERVABILITY_OPTIONS_TYPE, ObservabilityConfigurableModule } from './observability.module-definition.js';
import { SelfMetricsSource } from './self-metrics.source.js';
import { ServerStats } from './server-stats.service.js';

/** Health probes, Prometheus metrics, and the server's own metrics as feeds. */
@Module({
  controllers: [HealthController],
  providers: [ServerStats, MetricsService, HealthService],
  exports: [ServerStats, MetricsService, HealthService],
})
export class ObservabilityModule extends ObservabilityConfigurableModule {
  static override forRoot(options: typeof OBSERVABILITY_OPTIONS_TYPE): DynamicModule {
    const module = super.forRoot(options);
    if (options.selfMetrics) module.providers = [...(module.providers ?? []), SelfMetricsSource];
    return module;
  }
}
