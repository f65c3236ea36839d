import { Module } from '@nestjs/common';
import { AuthModule } from '@pulseboard/auth';
import { StreamingModule } from '@pulseboard/streaming';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { MetricsService } from './metrics.service.js';
import { SelfMetricsSource } from './self-metrics.source.js';
import { ServerStats } from './server-stats.service.js';

/** Health probes and Prometheus metrics. Options come under `OBSERVABILITY_OPTIONS`. */
@Module({
  imports: [StreamingModule, AuthModule],
  controllers: [HealthController],
  providers: [ServerStats, MetricsService, HealthService],
  exports: [ServerStats, MetricsService, HealthService],
})
export class ObservabilityModule {}

/** The server's own metrics as feeds (`SELF_METRICS`); the application imports it when they are on. */
@Module({
  imports: [ObservabilityModule, StreamingModule],
  providers: [SelfMetricsSource],
})
export class SelfMetricsModule {}
