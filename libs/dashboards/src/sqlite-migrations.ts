/**
 * The database schema, one step per version: `SQLITE_MIGRATIONS[i]` takes a
 * database from `PRAGMA user_version` i to i + 1. Steps are only ever
 * appended; a released step never changes, because databases in the field
 * have already run it.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: annotations, read per dashboard by time window
  `CREATE TABLE annotations (
    id TEXT PRIMARY KEY,
    dashboard TEXT NOT NULL,
    t REAL NOT NULL,
    text TEXT NOT NULL,
    feed TEXT,
    author TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX annotations_dashboard_t ON annotations (dashboard, t);`,
  // 2: saved dashboards; document is the JSON of a DashboardDocument, title is
  // repeated beside it so a listing does not parse every document
  `CREATE TABLE dashboards (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );`,
  // 3: who created a dashboard (token subject), who may change it besides admins
  `ALTER TABLE dashboards ADD COLUMN owner TEXT;`,
  // 4: the token subject that wrote an annotation (who may delete it besides admins)
  `ALTER TABLE annotations ADD COLUMN author_id TEXT;`,
];
