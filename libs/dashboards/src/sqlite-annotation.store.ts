import type { Annotation } from '@pulseboard/protocol';
import type { Statement } from 'better-sqlite3';
import type { AnnotationQuery, AnnotationStore, AnnotationUsage, StoredAnnotation } from './annotation-store.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface AnnotationRow {
  id: string;
  dashboard: string;
  t: number;
  text: string;
  feed: string | null;
  author: string;
  created_at: number;
  author_id: string | null;
  quota_key: string | null;
}

interface RangeParams {
  dashboard: string;
  from: number;
  to: number;
  limit: number;
}

/**
 * Annotations in the server's SQLite database. Calls are synchronous under
 * the promises: a write is one indexed insert, and annotations arrive at the
 * rate people type.
 */
export class SqliteAnnotationStore implements AnnotationStore {
  private readonly insert: Statement<[AnnotationRow]>;
  private readonly range: Statement<[RangeParams], Annotation>;
  private readonly removeForDashboard: Statement<[string]>;
  private readonly one: Statement<[string, string], Annotation & { authorId: string | null }>;
  private readonly remove: Statement<[string, string]>;
  private readonly counts: Statement<[string], AnnotationUsage>;

  constructor(database: SqliteDatabase) {
    this.insert = database.connection.prepare<[AnnotationRow]>(
      `INSERT INTO annotations (id, dashboard, t, text, feed, author, created_at, author_id, quota_key)
       VALUES (@id, @dashboard, @t, @text, @feed, @author, @created_at, @author_id, @quota_key)`,
    );
    // rowid breaks ties of t and created_at in insertion order
    this.range = database.connection.prepare<[RangeParams], Annotation>(
      `SELECT id, dashboard, t, text, feed, author FROM annotations
       WHERE dashboard = @dashboard AND t >= @from AND t <= @to
       ORDER BY t, created_at, rowid
       LIMIT @limit`,
    );
    this.removeForDashboard = database.connection.prepare<[string]>('DELETE FROM annotations WHERE dashboard = ?');
    this.one = database.connection.prepare<[string, string], Annotation & { authorId: string | null }>(
      'SELECT id, dashboard, t, text, feed, author, author_id AS authorId FROM annotations WHERE dashboard = ? AND id = ?',
    );
    this.remove = database.connection.prepare<[string, string]>(
      'DELETE FROM annotations WHERE dashboard = ? AND id = ?',
    );
    // the total is kept by triggers; one user's rows are counted on the quota_key index
    this.counts = database.connection.prepare<[string], AnnotationUsage>(
      `SELECT (SELECT amount FROM totals WHERE name = 'annotations') AS total,
              (SELECT count(*) FROM annotations WHERE quota_key = ?) AS own`,
    );
  }

  // statements run inside the executor so that a SQLite error rejects the promise instead of throwing
  add(annotation: Annotation, createdAt: number, authorId?: string | null, quotaKey?: string): Promise<void> {
    return new Promise((resolve) => {
      this.insert.run({
        id: annotation.id,
        dashboard: annotation.dashboard,
        t: annotation.t,
        text: annotation.text,
        feed: annotation.feed,
        author: annotation.author,
        created_at: createdAt,
        author_id: authorId ?? null,
        quota_key: quotaKey ?? null,
      });
      resolve();
    });
  }

  list(query: AnnotationQuery): Promise<Annotation[]> {
    return new Promise((resolve) => {
      resolve(
        this.range.all({
          dashboard: query.dashboard,
          from: query.from ?? -Infinity,
          to: query.to ?? Infinity,
          limit: query.limit,
        }),
      );
    });
  }

  get(dashboard: string, id: string): Promise<StoredAnnotation | undefined> {
    return new Promise((resolve) => {
      const row = this.one.get(dashboard, id);
      if (row === undefined) {
        resolve(undefined);
        return;
      }
      const { authorId, ...annotation } = row;
      resolve({ annotation, authorId });
    });
  }

  delete(dashboard: string, id: string): Promise<boolean> {
    return new Promise((resolve) => {
      resolve(this.remove.run(dashboard, id).changes > 0);
    });
  }

  deleteForDashboard(dashboard: string): Promise<number> {
    return new Promise((resolve) => {
      resolve(this.removeForDashboard.run(dashboard).changes);
    });
  }

  usage(quotaKey: string): Promise<AnnotationUsage> {
    return new Promise((resolve) => {
      resolve(this.counts.get(quotaKey) ?? { total: 0, own: 0 });
    });
  }
}
