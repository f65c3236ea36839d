import type { Dashboard, DashboardSummary } from '@pulseboard/protocol';

/**
 * An extension point: where saved dashboards are kept. The built-in store is
 * SQLite; a shared store (e.g. Redis, for several server instances) provides
 * the same interface under `DASHBOARD_STORE`. Methods answer promises so a
 * networked store fits; callers always await them.
 */
export interface DashboardStore {
  /** The dashboard saved under `id`, or `undefined`. */
  get(id: string): Promise<Dashboard | undefined>;
  /** A summary of every saved dashboard, in no particular order. */
  list(): Promise<DashboardSummary[]>;
  /** Saves `dashboard` durably under its id, replacing one saved there, `createdAt` included. */
  put(dashboard: Dashboard): Promise<void>;
  /** Removes the dashboard saved under `id`; answers whether there was one. */
  delete(id: string): Promise<boolean>;
  /** Releases what the store holds; called once when the application shuts down. */
  close?(): void | Promise<void>;
}

/** Injection token of the `DashboardStore` in use. */
export const DASHBOARD_STORE = Symbol('pulseboard:dashboard-store');
