import type { PredictionRecord } from '@vigil/prediction-log';

/** A prediction as a store returns it: the logged record plus the store's own columns. */
export interface StoredPrediction extends PredictionRecord {
  readonly id: number;
  /** When the store wrote the row (ISO 8601 UTC). */
  readonly created_at: string;
}

export interface ClassCounts {
  readonly fraud: number;
  readonly non_fraud: number;
}

/**
 * What the monitoring endpoints need from a store. SQLite serves it on one
 * host; Postgres serves it when API replicas span hosts. Both answer the same.
 */
export interface MonitoringReader {
  /** latency_ms of every prediction with timestamp >= sinceIso, ascending. */
  latenciesSince(sinceIso: string): Promise<Float64Array>;
  /** Newest first, by timestamp then prediction_id (same order in every store). */
  recentPredictions(limit: number): Promise<StoredPrediction[]>;
  classCountsSince(sinceIso: string): Promise<ClassCounts>;
  close(): Promise<void>;
}
