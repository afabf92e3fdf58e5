import type { PredictionRecord } from '@vigil/prediction-log';
import type { AuditRow } from '../postgres/copy-rows';
import type { StoredPrediction } from '../types';
import { openSqlite, type SqliteDatabase } from './open-sqlite';
import { SqliteRollups } from './sqlite-rollups';
import { fromSqliteRow, SQLITE_PREDICTION_COLUMNS, type SqlitePredictionRow } from './row-mapping';

/** The worker's side of SQLite: batch inserts and the audit outbox. */
export class SqliteWriter {
  private readonly insert;
  private readonly selectUnaudited;
  private readonly markAuditedStatement;
  private readonly backlogStatement;
  private readonly insertMany;
  private readonly pruneAudited;
  private readonly pruneAny;
  private readonly rollups: SqliteRollups;

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
    // The oldest unaudited row is the one with the smallest id (ids follow arrival): one step down the
    // partial index, where min(timestamp) would read every unaudited row.
    this.backlogStatement = db.prepare<[], { count: number; oldest: string | null }>(
      `SELECT (SELECT count(*) FROM predictions WHERE audited = 0) AS count,
              (SELECT timestamp FROM predictions WHERE audited = 0 ORDER BY id LIMIT 1) AS oldest`,
    );
    this.rollups = new SqliteRollups(db);
    this.pruneAudited = db.prepare('DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE timestamp < ? AND audited = 1 LIMIT ?)');
    this.pruneAny = db.prepare('DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE timestamp < ? LIMIT ?)');
    this.insertMany = db.transaction((records: readonly PredictionRecord[]) => {
      const added: PredictionRecord[] = [];
      for (const r of records) {
        const { changes } = this.insert.run(r.prediction_id, r.timestamp, r.model_version, JSON.stringify(r.features), r.prediction, r.probability, r.latency_ms);
        if (changes === 1) added.push(r);
      }
      // Only rows this insert added count, so a redelivered batch leaves the rollups as they were.
      this.rollups.add(added);
      return added.length;
    });
  }

  static open(path: string): SqliteWriter {
    const writer = new SqliteWriter(openSqlite(path));
    writer.rollups.rebuildIfMissing();
    return writer;
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

  /**
   * The oldest rows not yet in the audit, shaped for it: features stay the
   * JSON text SQLite holds (parsing and re-serialising them was most of the
   * shipper's own cost).
   */
  unauditedForAudit(limit: number): (AuditRow & { id: number })[] {
    return this.selectUnaudited.all(limit).map((row) => ({
      id: row.id,
      prediction_id: row.prediction_id,
      timestamp: row.timestamp,
      model_version: row.model_version,
      features_json: row.features,
      prediction: row.prediction === 1 ? 1 : 0,
      probability: row.probability,
      latency_ms: row.latency_ms,
    }));
  }

  markAudited(ids: readonly number[]): void {
    this.markAuditedStatement.run(JSON.stringify(ids));
  }

  /** Rows not yet in the audit, and the oldest one's timestamp. */
  auditBacklog(): { count: number; oldestTimestamp: string | undefined } {
    const row = this.backlogStatement.get();
    return { count: row?.count ?? 0, oldestTimestamp: row?.oldest ?? undefined };
  }

  /**
   * Deletes at most `limit` rows older than `beforeIso`; with `keepUnaudited`
   * it never deletes a row the Postgres audit has not received. Small batches
   * keep each write lock short, so log batches are not stalled behind it.
   * Returns how many rows went.
   */
  pruneBefore(beforeIso: string, keepUnaudited: boolean, limit: number): number {
    const statement = keepUnaudited ? this.pruneAudited : this.pruneAny;
    return statement.run(beforeIso, limit).changes;
  }

  close(): void {
    this.db.close();
  }
}
