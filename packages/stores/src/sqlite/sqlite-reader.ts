import { emptySummary, LatencyHistogram, type MinuteRollup, type RollupSummary } from '@vigil/rollups';
import type { MonitoringReader, SampledPrediction, StoredPrediction } from '../types';
import { openSqlite, type SqliteDatabase } from './open-sqlite';
import { fromSqliteRow, SQLITE_PREDICTION_COLUMNS, type SqlitePredictionRow } from './row-mapping';

/** Monitoring queries against the SQLite file (one host). */
export class SqliteReader implements MonitoringReader {
  private readonly rollups;
  private readonly rollupsOfVersion;
  private readonly minutes;
  private readonly recent;
  private readonly sample;

  constructor(private readonly db: SqliteDatabase) {
    type Row = { fraud: number; non_fraud: number; latency: string };
    this.rollups = db.prepare<[number], Row>('SELECT fraud, non_fraud, latency FROM rollup_minute WHERE minute >= ?');
    this.rollupsOfVersion = db.prepare<[number, string], Row>('SELECT fraud, non_fraud, latency FROM rollup_minute WHERE minute >= ? AND model_version = ?');
    this.minutes = db.prepare<[number, number, string | null, string | null], Row & { minute: number; model_version: string }>(
      'SELECT minute, model_version, fraud, non_fraud, latency FROM rollup_minute WHERE minute >= ? AND minute < ? AND (? IS NULL OR model_version = ?) ORDER BY minute, model_version',
    );
    this.sample = db.prepare<[string, string | null, string | null, number], { timestamp: string; features: string; probability: number; prediction: number }>(
      'SELECT timestamp, features, probability, prediction FROM predictions WHERE timestamp >= ? AND (? IS NULL OR model_version = ?) AND id % ? = 0',
    );
    this.recent = db.prepare<[number], SqlitePredictionRow>(
      `SELECT ${SQLITE_PREDICTION_COLUMNS} FROM predictions ORDER BY timestamp DESC, prediction_id DESC LIMIT ?`,
    );
  }

  static open(path: string): SqliteReader {
    return new SqliteReader(openSqlite(path));
  }

  async summarySince(sinceMinute: number, modelVersion?: string): Promise<RollupSummary> {
    const rows = modelVersion === undefined ? this.rollups.all(sinceMinute) : this.rollupsOfVersion.all(sinceMinute, modelVersion);
    const summary = emptySummary();
    for (const row of rows) {
      summary.fraud += row.fraud;
      summary.non_fraud += row.non_fraud;
      summary.latency.merge(LatencyHistogram.fromJSON(JSON.parse(row.latency)));
    }
    return summary;
  }

  async minuteRollups(fromMinute: number, toMinute: number, modelVersion?: string): Promise<MinuteRollup[]> {
    const version = modelVersion ?? null;
    return this.minutes.all(fromMinute, toMinute, version, version).map((row) => ({
      minute: row.minute,
      model_version: row.model_version,
      fraud: row.fraud,
      non_fraud: row.non_fraud,
      latency: LatencyHistogram.fromJSON(JSON.parse(row.latency)),
    }));
  }

  async windowSample(sinceIso: string, options: { modelVersion?: string; stride: number }): Promise<SampledPrediction[]> {
    const version = options.modelVersion ?? null;
    return this.sample.all(sinceIso, version, version, Math.max(1, Math.floor(options.stride))).map((row) => ({
      timestamp: row.timestamp,
      features: JSON.parse(row.features) as SampledPrediction['features'],
      probability: row.probability,
      prediction: row.prediction === 1 ? 1 : 0,
    }));
  }

  async recentPredictions(limit: number): Promise<StoredPrediction[]> {
    return this.recent.all(limit).map(fromSqliteRow);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
