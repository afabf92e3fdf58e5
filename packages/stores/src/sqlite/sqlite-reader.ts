import { emptySummary, ROLLUP_LEVELS, spanPlan, type MinuteRollup, type RollupSummary } from '@vigil/rollups';
import type { SeqRangeRow } from '../seq-ranges';
import type { MonitoringReader, SampledPrediction, StoredPrediction } from '../types';
import { openSqlite, type SqliteDatabase } from './open-sqlite';
import { fromSqliteRow, SQLITE_PREDICTION_COLUMNS, type SqlitePredictionRow } from './row-mapping';
import { decodeLatency, mergeStoredLatency } from './sqlite-rollups';
import { SqliteSeqRanges } from './sqlite-seq-ranges';

/** Monitoring queries against the SQLite file (one host). */
export class SqliteReader implements MonitoringReader {
  private readonly rollups;
  private readonly counts;
  private readonly minutes;
  private readonly recent;
  private readonly sample;
  private readonly seqRangeTable;

  constructor(private readonly db: SqliteDatabase) {
    type Row = { fraud: number; non_fraud: number; latency: string };
    // One SELECT per level of spanPlan(): minutes from the window's start to the first whole hour, hours to the
    // first whole day, then whole days (the current ones included). Only the coarsest level's range is open-ended.
    const last = ROLLUP_LEVELS.length - 1;
    const span = (columns: string) =>
      ROLLUP_LEVELS.map(({ table, key }, i) => {
        const upper = i < last ? ` AND ${key} < @to${i}` : '';
        return `SELECT ${columns} FROM ${table} WHERE ${key} >= @from${i}${upper} AND (@version IS NULL OR model_version = @version)`;
      }).join('\n       UNION ALL ');
    type Span = Record<string, number | string | null>;
    this.rollups = db.prepare<[Span], Row>(span('fraud, non_fraud, latency'));
    // Counts need no histogram: summed in SQL, no JSON read at all.
    this.counts = db.prepare<[Span], { fraud: number | null; non_fraud: number | null }>(
      `SELECT sum(fraud) AS fraud, sum(non_fraud) AS non_fraud FROM (${span('fraud, non_fraud')})`,
    );
    this.minutes = db.prepare<[number, number, string | null, string | null], Row & { minute: number; model_version: string }>(
      'SELECT minute, model_version, fraud, non_fraud, latency FROM rollup_minute ' +
        'WHERE minute >= ? AND minute < ? AND (? IS NULL OR model_version = ?) ORDER BY minute, model_version',
    );
    this.sample = db.prepare<[string, string | null, string | null, number], { timestamp: string; features: string; probability: number; prediction: number }>(
      'SELECT timestamp, features, probability, prediction FROM predictions WHERE timestamp >= ? AND (? IS NULL OR model_version = ?) AND id % ? = 0',
    );
    this.seqRangeTable = new SqliteSeqRanges(db);
    this.recent = db.prepare<[number], SqlitePredictionRow>(
      `SELECT ${SQLITE_PREDICTION_COLUMNS} FROM predictions ORDER BY timestamp DESC, prediction_id DESC LIMIT ?`,
    );
  }

  static open(path: string): SqliteReader {
    return new SqliteReader(openSqlite(path));
  }

  async summarySince(sinceMinute: number, modelVersion?: string, options: { latency?: boolean } = {}): Promise<RollupSummary> {
    const params: Record<string, number | string | null> = { version: modelVersion ?? null };
    spanPlan(sinceMinute).forEach(({ from, to }, i) => {
      params[`from${i}`] = from;
      if (to !== undefined) params[`to${i}`] = to;
    });
    const summary = emptySummary();
    if (options.latency === false) {
      const counts = this.counts.get(params);
      summary.fraud = counts?.fraud ?? 0;
      summary.non_fraud = counts?.non_fraud ?? 0;
      return summary;
    }
    const rows = this.rollups.all(params);
    for (const row of rows) {
      summary.fraud += row.fraud;
      summary.non_fraud += row.non_fraud;
      mergeStoredLatency(summary.latency, row.latency);
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
      latency: decodeLatency(row.latency),
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

  async seqRanges(): Promise<SeqRangeRow[]> {
    return this.seqRangeTable.all();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
