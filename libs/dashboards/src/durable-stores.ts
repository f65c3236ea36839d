import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { AnnotationStore } from './annotation-store.js';
import type { DashboardStore } from './dashboard-store.js';
import type { DashboardsModuleOptions } from './dashboards.options.js';
import { RedisAnnotationStore, RedisDashboardStore } from './redis-stores.js';
import { SqliteAnnotationStore } from './sqlite-annotation.store.js';
import { SqliteDashboardStore } from './sqlite-dashboard.store.js';
import { DATABASE_FILE_NAME, SqliteDatabase } from './sqlite-database.js';

/** Where durable state is kept: both stores, and what closes their connection. */
export interface DurableStores {
  annotations: AnnotationStore;
  dashboards: DashboardStore;
  close(): Promise<void>;
}

export const DURABLE_STORES = Symbol('pulseboard:durable-stores');

/** SQLite in the data directory (opened and migrated now), or the shared Redis. */
export async function openStores(options: DashboardsModuleOptions): Promise<DurableStores> {
  if (options.redis !== undefined) {
    // while Redis is away requests fail at once (503 store_unavailable) instead of waiting in a queue;
    // ioredis reconnects by itself, and the log (same Redis) reports the outage
    const redis = new Redis(options.redis.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => undefined);
    await redis.connect();
    const annotations = new RedisAnnotationStore(redis, options.redis.prefix);
    const dashboards = new RedisDashboardStore(redis, options.redis.prefix);
    try {
      // quotas need counts of what an older version stored without keeping them
      await dashboards.countExisting();
      await annotations.countExisting();
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return {
      annotations,
      dashboards,
      close: async () => {
        await redis.quit().catch(() => undefined);
      },
    };
  }
  const database = SqliteDatabase.open(join(options.dataDir, DATABASE_FILE_NAME));
  return {
    annotations: new SqliteAnnotationStore(database),
    dashboards: new SqliteDashboardStore(database),
    close: () => {
      database.close();
      return Promise.resolve();
    },
  };
}
