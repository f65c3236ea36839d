import type { Dashboard, DashboardDocument, DashboardSummary } from '@pulseboard/protocol';
import type { Statement } from 'better-sqlite3';
import type { DashboardStore, DashboardUsage } from './dashboard-store.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface DashboardRow {
  id: string;
  title: string;
  document: string;
  created_at: number;
  updated_at: number;
  owner: string | null;
}

interface SavedRow extends DashboardRow {
  quota_key: string;
}

/**
 * Saved dashboards in the server's SQLite database, one row each with the
 * document as JSON. Calls are synchronous under the promises: dashboards are
 * saved when someone presses save, and a document is at most a few hundred KB.
 */
export class SqliteDashboardStore implements DashboardStore {
  private readonly select: Statement<[string], DashboardRow>;
  private readonly summaries: Statement<[], DashboardSummary>;
  private readonly exists: Statement<[string], { found: number }>;
  private readonly upsert: Statement<[SavedRow]>;
  private readonly remove: Statement<[string]>;
  private readonly counts: Statement<[string], DashboardUsage>;

  constructor(database: SqliteDatabase) {
    const { connection } = database;
    this.select = connection.prepare<[string], DashboardRow>(
      'SELECT id, title, document, created_at, updated_at, owner FROM dashboards WHERE id = ?',
    );
    this.summaries = connection.prepare<[], DashboardSummary>(
      `SELECT id, title, json_array_length(document, '$.panels') AS panels, updated_at AS updatedAt FROM dashboards`,
    );
    this.exists = connection.prepare<[string], { found: number }>('SELECT 1 AS found FROM dashboards WHERE id = ?');
    // quota_key is left as it is on replace: a dashboard counts against whoever created it
    this.upsert = connection.prepare<[SavedRow]>(
      `INSERT INTO dashboards (id, title, document, created_at, updated_at, owner, quota_key)
       VALUES (@id, @title, @document, @created_at, @updated_at, @owner, @quota_key)
       ON CONFLICT (id) DO UPDATE SET
         title = excluded.title,
         document = excluded.document,
         created_at = excluded.created_at,
         updated_at = excluded.updated_at,
         owner = excluded.owner`,
    );
    this.remove = connection.prepare<[string]>('DELETE FROM dashboards WHERE id = ?');
    // the totals are kept by triggers; one user's rows are counted on the quota_key index
    this.counts = connection.prepare<[string], DashboardUsage>(
      `SELECT (SELECT amount FROM totals WHERE name = 'dashboards') AS total,
              (SELECT count(*) FROM dashboards WHERE quota_key = ?) AS own,
              (SELECT amount FROM totals WHERE name = 'dashboard_bytes') AS bytes`,
    );
  }

  // statements run inside the executor so that a SQLite error rejects the promise instead of throwing
  get(id: string): Promise<Dashboard | undefined> {
    return new Promise((resolve) => {
      const row = this.select.get(id);
      resolve(row === undefined ? undefined : toDashboard(row));
    });
  }

  has(id: string): Promise<boolean> {
    return new Promise((resolve) => {
      resolve(this.exists.get(id) !== undefined);
    });
  }

  list(): Promise<DashboardSummary[]> {
    return new Promise((resolve) => {
      resolve(this.summaries.all());
    });
  }

  put(dashboard: Dashboard, quotaKey: string): Promise<void> {
    return new Promise((resolve) => {
      const document: DashboardDocument = {
        title: dashboard.title,
        window: dashboard.window,
        panels: dashboard.panels,
      };
      this.upsert.run({
        id: dashboard.id,
        title: dashboard.title,
        document: JSON.stringify(document),
        created_at: dashboard.createdAt,
        updated_at: dashboard.updatedAt,
        owner: dashboard.owner ?? null,
        quota_key: quotaKey,
      });
      resolve();
    });
  }

  delete(id: string): Promise<boolean> {
    return new Promise((resolve) => {
      resolve(this.remove.run(id).changes > 0);
    });
  }

  usage(quotaKey: string): Promise<DashboardUsage> {
    return new Promise((resolve) => {
      resolve(this.counts.get(quotaKey) ?? { total: 0, own: 0, bytes: 0 });
    });
  }
}

function toDashboard(row: DashboardRow): Dashboard {
  // written by put() from a validated document, so it is read back as one
  const document = JSON.parse(row.document) as DashboardDocument;
  return {
    id: row.id,
    title: document.title,
    window: document.window,
    panels: document.panels,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    owner: row.owner,
  };
}
