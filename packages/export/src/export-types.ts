/** The file formats an export is written in. */
export type ExportFormat = 'csv' | 'jsonl' | 'parquet';

/** Which predictions an export holds: those made at or after `sinceIso`, of one model version or of all. */
export interface ExportQuery {
  /** ISO 8601 UTC (`toISOString()`), compared with the stored timestamps as text in SQLite and as time in Postgres. */
  readonly sinceIso: string;
  readonly modelVersion?: string | undefined;
}

/**
 * One stored prediction with its current label, as both sources hand it to the formats.
 * Timestamps are ISO 8601 UTC with milliseconds, as the records carry them.
 */
export interface ExportRow {
  readonly prediction_id: string;
  readonly timestamp: string;
  readonly model_version: string;
  readonly prediction: number;
  readonly probability: number;
  readonly latency_ms: number;
  /** Null for records logged before API instances numbered theirs. */
  readonly instance_id: string | null;
  readonly seq: number | null;
  /** Present only when the store's predictions table has the column; null for records without one. */
  readonly trace_id?: string | null | undefined;
  /** The current label (the latest labeled_at, ties to the later arrival); null while there is none. */
  readonly label: number | null;
  readonly labeled_at: string | null;
  /** The features object as the store keeps it: JSON text, so JSON lines copy it without parsing. */
  readonly features: string;
}

/**
 * Where an export reads from: the SQLite file of one host or the Postgres audit.
 * {@link openExportSource} picks one from the settings.
 */
export interface ExportSource {
  /** How many predictions match: what a progress display counts towards. */
  count(query: ExportQuery): Promise<number>;
  /** Whether the store's predictions carry a trace_id column (a later migration adds it): the export then has that column too. */
  hasTraceId(): Promise<boolean>;
  /**
   * Every matching row, oldest first (timestamp, then id), a few thousand per batch, from one
   * snapshot of the store. Stopping the iteration early (return or throw) releases the read.
   */
  batches(query: ExportQuery): AsyncGenerator<readonly ExportRow[], void, undefined>;
  close(): Promise<void> | void;
}

/** What {@link writeExport} writes. */
export interface ExportOptions {
  readonly format: ExportFormat;
  readonly query: ExportQuery;
  /** The served model's features, in the spec's order: one column each in CSV and Parquet (JSON lines keep the stored object). */
  readonly featureNames: readonly string[];
  /** Called after each batch with the rows written so far. */
  onProgress?(rows: number): void;
}

/** What an export wrote. */
export interface ExportResult {
  readonly rows: number;
  readonly bytes: number;
}
