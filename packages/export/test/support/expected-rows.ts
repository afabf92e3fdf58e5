import type { LabelRecord, PredictionRecord } from '@vigil/records';

/** A value as an export should hold it, column by column. */
export type Cell = string | number | boolean | null;

/** What a row of an export must hold: the record's fields, its current label, and its features by name. */
export interface ExpectedRow {
  readonly prediction_id: string;
  readonly timestamp: string;
  readonly model_version: string;
  readonly prediction: number;
  readonly probability: number;
  readonly latency_ms: number;
  readonly instance_id: string | null;
  readonly seq: number | null;
  readonly trace_id: string | null;
  readonly label: number | null;
  readonly labeled_at: string | null;
  readonly features: Readonly<Record<string, Cell>>;
}

/**
 * The rows an export of `records` must hold, worked out from the records and
 * labels themselves (not from any store): those at or after `sinceIso` (of
 * `modelVersion` if given), ordered by timestamp then insertion, each with
 * the label whose labeled_at is latest (the later arrival on a tie).
 */
export function expectedRows(
  records: readonly PredictionRecord[],
  labels: readonly LabelRecord[],
  query: { sinceIso: string; modelVersion?: string },
): ExpectedRow[] {
  const current = new Map<string, LabelRecord>();
  for (const label of labels) {
    const before = current.get(label.prediction_id);
    if (before === undefined || label.labeled_at >= before.labeled_at) current.set(label.prediction_id, label);
  }
  return records
    .map((record, order) => ({ record, order }))
    .filter(({ record }) => record.role === undefined)
    .filter(({ record }) => record.timestamp >= query.sinceIso && (query.modelVersion === undefined || record.model_version === query.modelVersion))
    .sort((a, b) => (a.record.timestamp < b.record.timestamp ? -1 : a.record.timestamp > b.record.timestamp ? 1 : a.order - b.order))
    .map(({ record }) => {
      const label = current.get(record.prediction_id);
      return {
        prediction_id: record.prediction_id,
        timestamp: record.timestamp,
        model_version: record.model_version,
        prediction: record.prediction,
        probability: record.probability,
        latency_ms: record.latency_ms,
        instance_id: record.instance_id ?? null,
        seq: record.seq ?? null,
        trace_id: record.trace_id ?? null,
        label: label?.label ?? null,
        labeled_at: label?.labeled_at ?? null,
        features: record.features,
      };
    });
}

const RECORD_COLUMNS = new Set([
  'prediction_id',
  'timestamp',
  'model_version',
  'prediction',
  'probability',
  'latency_ms',
  'instance_id',
  'seq',
  'trace_id',
  'label',
  'labeled_at',
]);

/** The row's value of a column: a field of the record or its label, else the feature the column is named after (`features.x` for a renamed one). */
export function cellOf(row: ExpectedRow, column: string): Cell {
  if (RECORD_COLUMNS.has(column)) return (row as unknown as Record<string, Cell>)[column] ?? null;
  const feature = column.startsWith('features.') ? column.slice('features.'.length) : column;
  return row.features[feature] ?? null;
}
