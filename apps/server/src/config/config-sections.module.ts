import { Global, Module, type DynamicModule, type ValueProvider } from '@nestjs/common';
import { AUTH_OPTIONS } from '@pulseboard/auth';
import { DASHBOARDS_OPTIONS } from '@pulseboard/dashboards';
import { DELIVERY_OPTIONS } from '@pulseboard/delivery';
import { DEMO_OPTIONS } from '@pulseboard/demo';
import { GATEWAY_OPTIONS } from '@pulseboard/gateway';
import { INGEST_OPTIONS } from '@pulseboard/ingest';
import { OBSERVABILITY_OPTIONS } from '@pulseboard/observability';
import { STREAMING_OPTIONS } from '@pulseboard/streaming';
import type { AppConfig } from './config.js';

/**
 * The validated configuration, one provider per section under the token of
 * the module that reads it. The only global module: configuration is read
 * everywhere, while every service a module uses comes through the imports it
 * declares, so the modules can be imported anywhere by class.
 */
@Global()
@Module({})
export class ConfigSectionsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const sections: ValueProvider[] = [
      { provide: AUTH_OPTIONS, useValue: config.auth },
      { provide: STREAMING_OPTIONS, useValue: config.streaming },
      { provide: INGEST_OPTIONS, useValue: config.ingest },
      { provide: DELIVERY_OPTIONS, useValue: config.delivery },
      { provide: DASHBOARDS_OPTIONS, useValue: config.dashboards },
      { provide: GATEWAY_OPTIONS, useValue: config.gateway },
      { provide: OBSERVABILITY_OPTIONS, useValue: config.observability },
      ...(config.demo === undefined ? [] : [{ provide: DEMO_OPTIONS, useValue: config.demo }]),
    ];
    return {
      module: ConfigSectionsModule,
      providers: sections,
      exports: sections.map((section) => section.provide),
    };
  }
}
