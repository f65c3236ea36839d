import type { Annotation } from '@pulseboard/protocol';
import type { Statement } from 'better-sqlite3';
import type { AnnotationQuery, AnnotationStore } from './annotation-store.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface AnnotationRow {
  id: string;
  dashboard: string;
  t: number;
  text: string;
  feed: string | null;
  author: string;
  created_at: number;
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

  constructor(database: SqliteDatabase) {
    this.insert = database.connection.prepare<[AnnotationRow]>(
      `INSERT INTO annotations (id, dashboard, t, text, feed, author, created_at)
       VALUES (@id, @dashboard, @t, @text, @feed, @author, @created_at)`,
    );
    // rowid breaks ties of t and created_at in insertion order
    this.range = database.connection.prepare<[RangeParams], Annotation>(
      `SELECT id, dashboard, t, text, feed, author FROM annotations
       WHERE dashboard = @dashboard AND t >= @from AND t <= @to
       ORDER BY t, created_at, rowid
       LIMIT @limit`,
    );
    this.removeForDashboard = database.connection.prepare<[string]>('DELETE FROM annotations WHERE dashboard = ?');
  }

  // statements run inside the executor so that a SQLite error rejects the promise instead of throwing
  add(annotation: Annotation, createdAt: number): Promise<void> {
    return new Promise((resolve) => {
      this.insert.run({
        id: annotation.id,
        dashboard: annotation.dashboard,
        t: annotation.t,
        text: annotation.text,
        feed: annotation.feed,
        author: annotation.author,
        created_at: createdAt,
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

  deleteForDashboard(dashboard: string): Promise<number> {
    return new Promise((resolve) => {
      resolve(this.removeForDashboard.run(dashboard).changes);
    });
  }
}
