import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter, SchemaValidationPipe } from '@pulseboard/api';
import { AuthModule } from '@pulseboard/auth';
import { DashboardsModule } from '@pulseboard/dashboards';
import { DeliveryModule } from '@pulseboard/delivery';
import { DemoModule } from '@pulseboard/demo';
import { GatewayModule } from '@pulseboard/gateway';
import { IngestModule } from '@pulseboard/ingest';
import { ObservabilityModule, SelfMetricsModule } from '@pulseboard/observability';
import { StreamingModule } from '@pulseboard/streaming';
import { ConfigSectionsModule } from './config/config-sections.module.js';
import type { AppConfig } from './config/config.js';

/**
 * The Pulseboard server: the engine plus its transports. Each module reads
 * its section of the validated config and imports the modules it builds on.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigSectionsModule.forRoot(config),
        AuthModule,
        StreamingModule,
        IngestModule,
        DeliveryModule,
        DashboardsModule,
        GatewayModule,
        ObservabilityModule,
        ...(config.observability.selfMetrics ? [SelfMetricsModule] : []),
        ...(config.demo === undefined ? [] : [DemoModule]),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: SchemaValidationPipe },
      ],
    };
  }
}
