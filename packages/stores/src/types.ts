import type { PredictionRecord } from '@vigil/prediction-log';
import type { RollupSummary } from '@vigil/rollups';

/** A prediction as a store returns it: the logged record plus the store's own columns. */
export interface StoredPrediction extends PredictionRecord {
  readonly id: number;
  /** When the store wrote the row (ISO 8601 UTC). */
  readonly created_at: string;
}

/**
 * What the monitoring endpoints need from a store. SQLite serves it on one
 * host; Postgres serves it when API replicas span hosts. Both answer the same.
 */
export interface MonitoringReader {
  /**
   * The per-minute rollups from `sinceMinute` (minutes since the epoch) on,
   * merged; only one model version's when given. Reads one row per minute,
   * however many predictions the minutes hold.
   */
  summarySince(sinceMinute: number, modelVersion?: string): Promise<RollupSummary>;
  /** Newest first, by timestamp then prediction_id (same order in every store). */
  recentPredictions(limit: number): Promise<StoredPrediction[]>;
  close(): Promise<void>;
}
