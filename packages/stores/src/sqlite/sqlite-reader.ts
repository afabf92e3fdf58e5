import type { ClassCounts, MonitoringReader, StoredPrediction } from '../types';
import { openSqlite, type SqliteDatabase } from './open-sqlite';
import { fromSqliteRow, SQLITE_PREDICTION_COLUMNS, type SqlitePredictionRow } from './row-mapping';

/** Monitoring queries against the SQLite file (one host). */
export class SqliteReader implements MonitoringReader {
  private readonly latencies;
  private readonly recent;
  private readonly classes;

  constructor(private readonly db: SqliteDatabase) {
    this.latencies = db.prepare<[string], number>('SELECT latency_ms FROM predictions WHERE timestamp >= ? ORDER BY latency_ms').pluck();
    this.recent = db.prepare<[number], SqlitePredictionRow>(
      `SELECT ${SQLITE_PREDICTION_COLUMNS} FROM predictions ORDER BY timestamp DESC, prediction_id DESC LIMIT ?`,
    );
    this.classes = db.prepare<[string], { fraud: number | null; total: number }>(
      'SELECT sum(prediction) AS fraud, count(*) AS total FROM predictions WHERE timestamp >= ?',
    );
  }

  static open(path: string): SqliteReader {
    return new SqliteReader(openSqlite(path));
  }

  async latenciesSince(sinceIso: string): Promise<Float64Array> {
    return Float64Array.from(this.latencies.all(sinceIso));
  }

  async recentPredictions(limit: number): Promise<StoredPrediction[]> {
    return this.recent.all(limit).map(fromSqliteRow);
  }

  async classCountsSince(sinceIso: string): Promise<ClassCounts> {
    const row = this.classes.get(sinceIso);
    const fraud = row?.fraud ?? 0;
    return { fraud, non_fraud: (row?.total ?? 0) - fraud };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
