import type { PredictionRecord } from '@vigil/records';
import type { MinuteRollup, RollupSummary } from '@vigil/rollups';
import type { SeqRangeRow } from './seq-ranges';

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
/** What drift detection reads of a prediction. */
export interface SampledPrediction {
  readonly timestamp: string;
  readonly features: Readonly<Record<string, number | boolean | string>>;
  readonly probability: number;
  readonly prediction: 0 | 1;
}

export interface MonitoringReader {
  /**
   * The per-minute rollups from `sinceMinute` (minutes since the epoch) on,
   * merged; only one model version's when given. Reads whole hours from the
   * hourly rollups and minutes only up to the first whole hour, however many
   * predictions they hold. `latency: false` skips the latency histogram
   * (counts only, much cheaper).
   */
  summarySince(sinceMinute: number, modelVersion?: string, options?: { latency?: boolean }): Promise<RollupSummary>;
  /**
   * The per-minute rollups of the minutes from `fromMinute` up to (not
   * including) `toMinute`, oldest first, one per minute and model version
   * (only one version's when given): the time series behind the dashboard.
   */
  minuteRollups(fromMinute: number, toMinute: number, modelVersion?: string): Promise<MinuteRollup[]>;
  /**
   * Features and outputs of the predictions from `sinceIso` on (only one
   * model version's when given), taking every `stride`-th row by id so a
   * large window is read as an even sample rather than in full.
   */
  windowSample(sinceIso: string, options: { modelVersion?: string; stride: number }): Promise<SampledPrediction[]>;
  /** Newest first, by timestamp then prediction_id (same order in every store). */
  recentPredictions(limit: number): Promise<StoredPrediction[]>;
  /**
   * Per API instance, the runs of sequence numbers stored and dead-lettered
   * (a few rows per instance, whatever the number of records): what
   * completeness is computed from.
   */
  seqRanges(): Promise<SeqRangeRow[]>;
  close(): Promise<void>;
}
