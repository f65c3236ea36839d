import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AuthModule } from '@pulseboard/auth';
import { ANNOTATION_STORE, type AnnotationStore } from './annotation-store.js';
import { AnnotationsController } from './annotations.controller.js';
import { AnnotationsService } from './annotations.service.js';
import { DASHBOARD_STORE, type DashboardStore } from './dashboard-store.js';
import { DASHBOARDS_OPTIONS, type DashboardsModuleOptions } from './dashboards.options.js';
import { DashboardsController } from './dashboards.controller.js';
import { DashboardsService } from './dashboards.service.js';
import { DURABLE_STORES, openStores, type DurableStores } from './durable-stores.js';
import { WriteLimits } from './write-limits.js';

/**
 * Durable dashboard state: saved dashboards and annotations in SQLite under
 * `dataDir` (or in Redis), their HTTP API, and what users may store there.
 * The database opens (and migrates) while the module is created, so a bad
 * data directory stops the server at boot. Options come under
 * `DASHBOARDS_OPTIONS`; the control gateway imports this module to write
 * annotations.
 */
@Module({
  imports: [AuthModule],
  controllers: [DashboardsController, AnnotationsController],
  providers: [
    { provide: DURABLE_STORES, inject: [DASHBOARDS_OPTIONS], useFactory: openStores },
    {
      provide: ANNOTATION_STORE,
      inject: [DURABLE_STORES],
      useFactory: (stores: DurableStores): AnnotationStore => stores.annotations,
    },
    {
      provide: DASHBOARD_STORE,
      inject: [DURABLE_STORES],
      useFactory: (stores: DurableStores): DashboardStore => stores.dashboards,
    },
    {
      provide: WriteLimits,
      inject: [DASHBOARDS_OPTIONS],
      useFactory: (options: DashboardsModuleOptions) => new WriteLimits(options),
    },
    AnnotationsService,
    DashboardsService,
  ],
  exports: [AnnotationsService],
})
export class DashboardsModule implements OnApplicationShutdown {
  constructor(
    @Inject(ANNOTATION_STORE) private readonly annotations: AnnotationStore,
    @Inject(DASHBOARD_STORE) private readonly dashboards: DashboardStore,
    @Inject(DURABLE_STORES) private readonly stores: DurableStores,
  ) {}

  /**
   * Runs after the HTTP and socket servers have closed, so no request still
   * needs the stores: the stores in use (a replacement under the store tokens
   * included), then the connection of the built-in ones.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.annotations.close?.();
    await this.dashboards.close?.();
    await this.stores.close();
  }
}
