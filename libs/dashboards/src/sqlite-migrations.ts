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
  // 5: quotas. quota_key is the user a row counts against (token subject, or address:<ip> in open
  // mode; rows from before count against their author or owner, open-mode ones against nobody),
  // indexed so a user's count reads only that user's rows. The totals are kept by triggers, so no
  // write counts every row; an upsert that replaces a dashboard fires the UPDATE trigger only.
  `ALTER TABLE annotations ADD COLUMN quota_key TEXT;
  UPDATE annotations SET quota_key = author_id;
  CREATE INDEX annotations_quota_key ON annotations (quota_key);
  ALTER TABLE dashboards ADD COLUMN quota_key TEXT;
  UPDATE dashboards SET quota_key = owner;
  CREATE INDEX dashboards_quota_key ON dashboards (quota_key);
  CREATE TABLE totals (name TEXT PRIMARY KEY, amount INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO totals (name, amount) VALUES
    ('annotations', (SELECT count(*) FROM annotations)),
    ('dashboards', (SELECT count(*) FROM dashboards)),
    ('dashboard_bytes', (SELECT coalesce(sum(length(CAST(document AS BLOB))), 0) FROM dashboards));
  CREATE TRIGGER annotation_added AFTER INSERT ON annotations BEGIN
    UPDATE totals SET amount = amount + 1 WHERE name = 'annotations';
  END;
  CREATE TRIGGER annotation_removed AFTER DELETE ON annotations BEGIN
    UPDATE totals SET amount = amount - 1 WHERE name = 'annotations';
  END;
  CREATE TRIGGER dashboard_added AFTER INSERT ON dashboards BEGIN
    UPDATE totals SET amount = amount + 1 WHERE name = 'dashboards';
    UPDATE totals SET amount = amount + length(CAST(NEW.document AS BLOB)) WHERE name = 'dashboard_bytes';
  END;
  CREATE TRIGGER dashboard_replaced AFTER UPDATE OF document ON dashboards BEGIN
    UPDATE totals SET amount = amount + length(CAST(NEW.document AS BLOB)) - length(CAST(OLD.document AS BLOB))
      WHERE name = 'dashboard_bytes';
  END;
  CREATE TRIGGER dashboard_removed AFTER DELETE ON dashboards BEGIN
    UPDATE totals SET amount = amount - 1 WHERE name = 'dashboards';
    UPDATE totals SET amount = amount - length(CAST(OLD.document AS BLOB)) WHERE name = 'dashboard_bytes';
  END;`,
];
