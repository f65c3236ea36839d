import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter, SchemaValidationPipe } from '@pulseboard/api';
import { AuthModule } from '@pulseboard/auth';
import { DashboardsModule } from '@pulseboard/dashboards';
import { DeliveryModule } from '@pulseboard/delivery';
import { DemoModule } from '@pulseboard/demo';
import { GatewayModule } from '@pulseboard/gateway';
import { IngestModule } from '@pulseboard/ingest';
import { ObservabilityModule } from '@pulseboard/observability';
import { StreamingModule } from '@pulseboard/streaming';
import type { AppConfig } from './config/config.js';

/** The Pulseboard server: the engine plus its transports, each module given its section of the validated config. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot(config.auth),
        StreamingModule.forRoot(config.streaming),
        IngestModule.forRoot(config.ingest),
        DeliveryModule.forRoot(config.delivery),
        DashboardsModule.forRoot(config.dashboards),
        GatewayModule.forRoot(config.gateway),
        ObservabilityModule.forRoot(config.observability),
        ...(config.demo === undefined ? [] : [DemoModule.forRoot(config.demo)]),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: SchemaValidationPipe },
      ],
    };
  }
}
