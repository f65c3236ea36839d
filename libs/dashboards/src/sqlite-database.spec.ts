import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteAnnotationStore } from './sqlite-annotation.store.js';
import { SqliteDashboardStore } from './sqlite-dashboard.store.js';
import { SqliteDatabase } from './sqlite-database.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';

describe('SqliteDatabase', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulseboard-db-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a missing data directory and migrates a new database to the current schema', () => {
    const database = SqliteDatabase.open(join(dir, 'nested', 'data', 'pulseboard.db'));
    try {
      expect(database.schemaVersion).toBe(SQLITE_MIGRATIONS.length);
      const tables = database.connection
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((row) => row.name);
      expect(tables).toEqual(expect.arrayContaining(['annotations', 'dashboards']));
    } finally {
      database.close();
    }
  });

  it('migrates a database of the first version to the current one, keeping its annotations', () => {
    const file = join(dir, 'pulseboard.db');
    const first = new Database(file);
    first.exec(SQLITE_MIGRATIONS[0]);
    first.pragma('user_version = 1');
    first.prepare("INSERT INTO annotations VALUES ('a', 'ops', 1000, 'deploy', NULL, 'ada', 1)").run();
    first.close();
    const database = SqliteDatabase.open(file);
    try {
      expect(database.schemaVersion).toBe(SQLITE_MIGRATIONS.length);
      expect(database.connection.prepare('SELECT id, text FROM annotations').all()).toEqual([
        { id: 'a', text: 'deploy' },
      ]);
      expect(database.connection.prepare('SELECT count(*) AS n FROM dashboards').get()).toEqual({ n: 0 });
    } finally {
      database.close();
    }
  });

  it('counts what a database of version 4 holds against its authors and owners when it migrates', async () => {
    const file = join(dir, 'pulseboard.db');
    const fourth = new Database(file);
    for (const step of SQLITE_MIGRATIONS.slice(0, 4)) fourth.exec(step);
    fourth.pragma('user_version = 4');
    const note = fourth.prepare("INSERT INTO annotations VALUES (?, 'ops', 1000, 'deploy', NULL, 'ada', 1, ?)");
    note.run('a', 'ada');
    note.run('b', 'ada');
    note.run('c', null);
    fourth
      .prepare("INSERT INTO dashboards VALUES (?, 'Ops', ?, 1, 1, ?)")
      .run('ops', JSON.stringify({ title: 'Ops ✓', window: '5m', panels: [] }), 'bob');
    fourth.close();
    const database = SqliteDatabase.open(file);
    try {
      expect(await new SqliteAnnotationStore(database).usage('ada')).toEqual({ total: 3, own: 2 });
      const bytes = Buffer.byteLength(JSON.stringify({ title: 'Ops ✓', window: '5m', panels: [] }));
      expect(await new SqliteDashboardStore(database).usage('bob')).toEqual({ total: 1, own: 1, bytes });
    } finally {
      database.close();
    }
  });

  it('writes ahead and syncs every commit', () => {
    const database = SqliteDatabase.open(join(dir, 'pulseboard.db'));
    try {
      expect(database.connection.pragma('journal_mode', { simple: true })).toBe('wal');
      // 2 is FULL
      expect(database.connection.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      database.close();
    }
  });

  it('opens an existing database without running its migrations again', () => {
    const file = join(dir, 'pulseboard.db');
    SqliteDatabase.open(file).close();
    const reopened = SqliteDatabase.open(file);
    expect(reopened.schemaVersion).toBe(SQLITE_MIGRATIONS.length);
    reopened.close();
    // closing twice is harmless (shutdown may follow an explicit close)
    reopened.close();
  });

  it('refuses a database written by a newer schema', () => {
    const file = join(dir, 'pulseboard.db');
    const newer = new Database(file);
    newer.pragma(`user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    newer.close();
    expect(() => SqliteDatabase.open(file)).toThrow(/newer than this server/);
  });

  it('names the file it cannot open', () => {
    // a directory where the file should be
    expect(() => SqliteDatabase.open(dir)).toThrow(`cannot open database ${dir}`);
  });
});
