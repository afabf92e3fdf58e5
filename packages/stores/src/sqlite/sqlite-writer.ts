import type { PredictionRecord } from '@vigil/prediction-log';
import type { StoredPrediction } from '../types';
import { openSqlite, type SqliteDatabase } from './open-sqlite';
import { fromSqliteRow, SQLITE_PREDICTION_COLUMNS, type SqlitePredictionRow } from './row-mapping';

/** The worker's side of SQLite: batch inserts and the audit outbox. */
export class SqliteWriter {
  private readonly insert;
  private readonly selectUnaudited;
  private readonly markAuditedStatement;
  private readonly backlogStatement;
  private readonly insertMany;

  constructor(private readonly db: SqliteDatabase) {
    // ON CONFLICT DO NOTHING, not INSERT OR IGNORE: the latter would also
    // swallow CHECK and NOT NULL failures and hide a bad record.
    this.insert = db.prepare(
      `INSERT INTO predictions (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (prediction_id) DO NOTHING`,
    );
    this.selectUnaudited = db.prepare<[number], SqlitePredictionRow>(
      `SELECT ${SQLITE_PREDICTION_COLUMNS} FROM predictions WHERE audited = 0 ORDER BY id LIMIT ?`,
    );
    this.markAuditedStatement = db.prepare('UPDATE predictions SET audited = 1 WHERE id IN (SELECT value FROM json_each(?))');
    this.backlogStatement = db.prepare<[], { count: number; oldest: string | null }>(
      'SELECT count(*) AS count, min(timestamp) AS oldest FROM predictions WHERE audited = 0',
    );
    this.insertMany = db.transaction((records: readonly PredictionRecord[]) => {
      let inserted = 0;
      for (const r of records) {
        inserted += this.insert.run(r.prediction_id, r.timestamp, r.model_version, JSON.stringify(r.features), r.prediction, r.probability, r.latency_ms).changes;
      }
      return inserted;
    });
  }

  static open(path: string): SqliteWriter {
    return new SqliteWriter(openSqlite(path));
  }

  /** Writes a batch in one transaction; returns how many rows were new (a redelivered batch adds none). */
  insertBatch(records: readonly PredictionRecord[]): number {
    // IMMEDIATE: take the write lock up front so a concurrent writer makes us
    // wait (busy_timeout) instead of failing mid-transaction with SQLITE_BUSY.
    return this.insertMany.immediate(records);
  }

  unaudited(limit: number): StoredPrediction[] {
    return this.selectUnaudited.all(limit).map(fromSqliteRow);
  }

  markAudited(ids: readonly number[]): void {
    this.markAuditedStatement.run(JSON.stringify(ids));
  }

  /** Rows not yet in the audit, and the oldest one's timestamp. */
  auditBacklog(): { count: number; oldestTimestamp: string | undefined } {
    const row = this.backlogStatement.get();
    return { count: row?.count ?? 0, oldestTimestamp: row?.oldest ?? undefined };
  }

  close(): void {
    this.db.close();
  }
}
