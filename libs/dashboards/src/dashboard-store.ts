import type { Dashboard, DashboardSummary } from '@pulseboard/protocol';

/** How much the saved dashboards take (see `DashboardStore.usage`). */
export interface DashboardUsage {
  /** Dashboards saved in all. */
  total: number;
  /** Those created by one user. */
  own: number;
  /** Bytes of every saved dashboard's JSON. */
  bytes: number;
}

/**
 * An extension point: where saved dashboards are kept. The built-in store is
 * SQLite; a shared store (e.g. Redis, for several server instances) provides
 * the same interface under `DASHBOARD_STORE`. Methods answer promises so a
 * networked store fits; callers always await them.
 */
export interface DashboardStore {
  /** The dashboard saved under `id`, or `undefined`. */
  get(id: string): Promise<Dashboard | undefined>;
  /** Whether a dashboard is saved under `id` (without reading it). */
  has(id: string): Promise<boolean>;
  /** A summary of every saved dashboard, in no particular order. */
  list(): Promise<DashboardSummary[]>;
  /**
   * Saves `dashboard` durably under its id, replacing one saved there,
   * `createdAt` included. A new one counts against `quotaKey` (see
   * {@link usage}); a replaced one still counts against whom it did.
   */
  put(dashboard: Dashboard, quotaKey: string): Promise<void>;
  /** Removes the dashboard saved under `id`; answers whether there was one. */
  delete(id: string): Promise<boolean>;
  /**
   * What the saved dashboards take, and how many count against `quotaKey`.
   * Asked before every save, so it must not read every dashboard: stores keep counts.
   */
  usage(quotaKey: string): Promise<DashboardUsage>;
  /** Releases what the store holds; called once when the application shuts down. */
  close?(): void | Promise<void>;
}

/** Injection token of the `DashboardStore` in use. */
export const DASHBOARD_STORE = Symbol('pulseboard:dashboard-store');
