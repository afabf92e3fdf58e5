import type { StoredPrediction } from '../types';

/** A predictions row as SQLite returns it. */
export interface SqlitePredictionRow {
  id: number;
  prediction_id: string;
  timestamp: string;
  model_version: string;
  features: string;
  prediction: number;
  probability: number;
  latency_ms: number;
  created_at: string;
  instance_id: string | null;
  seq: number | null;
  trace_id: string | null;
}

export const SQLITE_PREDICTION_COLUMNS =
  'id, prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, created_at, instance_id, seq, trace_id';

export function fromSqliteRow(row: SqlitePredictionRow): StoredPrediction {
  return {
    id: row.id,
    prediction_id: row.prediction_id,
    timestamp: row.timestamp,
    model_version: row.model_version,
    features: JSON.parse(row.features) as StoredPrediction['features'],
    prediction: row.prediction === 1 ? 1 : 0,
    probability: row.probability,
    latency_ms: row.latency_ms,
    created_at: row.created_at,
    // Left out, not null, for records logged before instances numbered theirs: the record's own shape.
    ...(row.instance_id === null ? {} : { instance_id: row.instance_id }),
    ...(row.seq === null ? {} : { seq: row.seq }),
    ...(row.trace_id === null ? {} : { trace_id: row.trace_id }),
  };
}
