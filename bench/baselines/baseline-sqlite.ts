import Database from 'better-sqlite3';
import type { PredictionRecord } from '@vigil/records';

/**
 * A SQLite file for a baseline, opened with better-sqlite3 directly: the same
 * table, indexes and pragmas as Vigil's store (WAL, synchronous = NORMAL), so
 * only the way rows arrive differs.
 */
export function openBaselineSqlite(path: string): { db: Database.Database; insert: (record: PredictionRecord) => number } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS predictions (
      id            INTEGER PRIMARY KEY,
      prediction_id TEXT    NOT NULL UNIQUE,
      timestamp     TEXT    NOT NULL,
      model_version TEXT    NOT NULL,
      features      TEXT    NOT NULL,
      prediction    INTEGER NOT NULL CHECK (prediction IN (0, 1)),
      probability   REAL    NOT NULL,
      latency_ms    REAL    NOT NULL,
      created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      audited       INTEGER NOT NULL DEFAULT 0 -- unused since migration 6, as in Vigil's table
    );
    CREATE INDEX IF NOT EXISTS predictions_timestamp ON predictions (timestamp);
  `);
  const statement = db.prepare(
    `INSERT INTO predictions (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (prediction_id) DO NOTHING`,
  );
  const insert = (r: PredictionRecord): number =>
    statement.run(r.prediction_id, r.timestamp, r.model_version, JSON.stringify(r.features), r.prediction, r.probability, r.latency_ms).changes;
  return { db, insert };
}
