import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';

/** Name of the database file inside the data directory. */
export const DATABASE_FILE_NAME = 'pulseboard.db';

/**
 * The server's SQLite database: one connection, opened once, migrated to the
 * current schema, closed when the application shuts down. Stores prepare
 * their statements on `connection` and share it, so every durable table lives
 * in one file.
 */
export class SqliteDatabase implements OnApplicationShutdown {
  private constructor(
    /** The open connection; statements prepared on it stay valid until `close()`. */
    readonly connection: Database.Database,
  ) {}

  /**
   * Opens (creating the file and its directory when missing) and migrates the
   * database at `file`. Fails when the file cannot be opened or was written
   * by a newer schema than this server knows.
   */
  static open(file: string): SqliteDatabase {
    mkdirSync(dirname(file), { recursive: true });
    let connection: Database.Database;
    try {
      connection = new Database(file);
    } catch (error) {
      throw new Error(`cannot open database ${file}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    try {
      // WAL lets reads run beside the writer; FULL syncs the WAL on every
      // commit, so an acknowledged annotation survives a power loss. Writes
      // are rare (people typing notes), so the extra fsync costs nothing that matters.
      connection.pragma('journal_mode = WAL');
      connection.pragma('synchronous = FULL');
      migrate(connection, file);
    } catch (error) {
      connection.close();
      throw error;
    }
    return new SqliteDatabase(connection);
  }

  /** The schema version the database is at. */
  get schemaVersion(): number {
    return userVersion(this.connection);
  }

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.connection.open) this.connection.close();
  }

  /** Runs after the HTTP and socket servers have closed, so no request still needs the database. */
  onApplicationShutdown(): void {
    this.close();
  }
}

/** Applies the migrations the database has not run yet, each in its own transaction. */
function migrate(connection: Database.Database, file: string): void {
  const current = userVersion(connection);
  if (current > SQLITE_MIGRATIONS.length) {
    throw new Error(
      `database ${file} has schema version ${current}, newer than this server's ${SQLITE_MIGRATIONS.length}`,
    );
  }
  for (let version = current + 1; version <= SQLITE_MIGRATIONS.length; version++) {
    const step = SQLITE_MIGRATIONS[version - 1];
    // user_version lives in the file header and is written by the same
    // transaction, so a failed step leaves the database at the previous version
    connection.transaction(() => {
      connection.exec(step);
      connection.pragma(`user_version = ${version}`);
    })();
  }
}

function userVersion(connection: Database.Database): number {
  const version: unknown = connection.pragma('user_version', { simple: true });
  if (typeof version !== 'number') throw new Error('PRAGMA user_version did not answer a number');
  return version;
}
