import { join } from 'node:path';
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ANNOTATION_STORE, type AnnotationStore } from './annotation-store.js';
import { AnnotationsController } from './annotations.controller.js';
import { AnnotationsService } from './annotations.service.js';
import { DASHBOARD_STORE, type DashboardStore } from './dashboard-store.js';
import {
  DASHBOARDS_OPTIONS,
  DashboardsConfigurableModule,
  type DashboardsModuleOptions,
} from './dashboards.module-definition.js';
import { DashboardsController } from './dashboards.controller.js';
import { DashboardsService } from './dashboards.service.js';
import { SqliteAnnotationStore } from './sqlite-annotation.store.js';
import { SqliteDashboardStore } from './sqlite-dashboard.store.js';
import { DATABASE_FILE_NAME, SqliteDatabase } from './sqlite-database.js';

/**
 * Durable dashboard state: saved dashboards and annotations in SQLite under
 * `dataDir`, and their HTTP API. The database opens (and migrates) while the module is
 * created, so a bad data directory stops the server at boot. Global, because
 * the control gateway writes annotations too.
 */
@Global()
@Module({
  controllers: [DashboardsController, AnnotationsController],
  providers: [
    {
      provide: SqliteDatabase,
      inject: [DASHBOARDS_OPTIONS],
      useFactory: (options: DashboardsModuleOptions) => SqliteDatabase.open(join(options.dataDir, DATABASE_FILE_NAME)),
    },
    {
      provide: ANNOTATION_STORE,
      inject: [SqliteDatabase],
      useFactory: (database: SqliteDatabase): AnnotationStore => new SqliteAnnotationStore(database),
    },
    {
      provide: DASHBOARD_STORE,
      inject: [SqliteDatabase],
      useFactory: (database: SqliteDatabase): DashboardStore => new SqliteDashboardStore(database),
    },
    AnnotationsService,
    DashboardsService,
  ],
  exports: [AnnotationsService],
})
export class DashboardsModule extends DashboardsConfigurableModule implements OnApplicationShutdown {
  constructor(
    @Inject(ANNOTATION_STORE) private readonly annotations: AnnotationStore,
    @Inject(DASHBOARD_STORE) private readonly dashboards: DashboardStore,
  ) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.annotations.close?.();
    await this.dashboards.close?.();
  }
}
