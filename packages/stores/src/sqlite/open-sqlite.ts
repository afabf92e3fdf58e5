import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SQLITE_MIGRATIONS } from './migrations';

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating if needed) the monitoring database and brings its schema up
 * to date. Several processes (API replicas, workers) may open one file:
 * WAL lets readers run beside the one writer, and the busy timeout makes a
 * writer wait its turn instead of failing.
 */
export function openSqlite(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode loses no committed transaction on a process crash,
  // only possibly the last ones on a power cut; FULL would fsync every batch.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  migrate(db);
  return db;
}

function migrate(db: SqliteDatabase): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = db.prepare<[], { version: number }>('SELECT version FROM schema_migrations');
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  // IMMEDIATE takes the write lock first, so two processes starting together
  // cannot both apply the same migration.
  db.transaction(() => {
    const done = new Set(applied.all().map((row) => row.version));
    for (const migration of SQLITE_MIGRATIONS) {
      if (done.has(migration.version)) continue;
      db.exec(migration.sql);
      migration.then?.(db);
      record.run(migration.version, new Date().toISOString());
    }
  }).immediate();
}
