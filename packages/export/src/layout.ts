import type { ExportRow } from './export-types';

/** The columns every export has, in this order, before the features (trace_id only where the store has it). */
export const PREDICTION_COLUMNS = ['prediction_id', 'timestamp', 'model_version', 'prediction', 'probability', 'latency_ms', 'instance_id', 'seq'] as const;
export const LABEL_COLUMNS = ['label', 'labeled_at'] as const;

/** A feature's value in an export: as the record carried it, or null when the record lacks it. */
export type FeatureCell = number | boolean | string | null;

/** One feature column: the feature it reads, and its column name. */
export interface FeatureColumn {
  readonly feature: string;
  readonly column: string;
}

/** The columns of one export, decided before its first row. */
export interface ExportLayout {
  readonly traceId: boolean;
  readonly features: readonly FeatureColumn[];
  /** Every column name, in order: the predictions', trace_id, the label's, then one per feature. */
  readonly columns: readonly string[];
}

/**
 * A feature column is named after its feature, except one whose name is taken by a column of the
 * prediction (a model may well have a feature called `timestamp`): that one becomes `features.<name>`,
 * the path JSON lines give it, so no two columns share a name.
 */
export function exportLayout(featureNames: readonly string[], traceId: boolean): ExportLayout {
  const fixed: string[] = [...PREDICTION_COLUMNS, ...(traceId ? ['trace_id'] : []), ...LABEL_COLUMNS];
  const taken = new Set(fixed);
  const features = [...new Set(featureNames)].map((feature) => ({ feature, column: taken.has(feature) ? `features.${feature}` : feature }));
  return { traceId, features, columns: [...fixed, ...features.map((f) => f.column)] };
}

/** A stored value as an export cell: numbers, booleans and strings as they are; anything else (never logged by Vigil) as its JSON. */
function cell(value: unknown): FeatureCell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The row's value of each feature column, in the layout's order. */
export function featureCells(row: ExportRow, layout: ExportLayout): FeatureCell[] {
  const parsed: unknown = JSON.parse(row.features);
  const features = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  return layout.features.map(({ feature }) => cell(Object.hasOwn(features, feature) ? features[feature] : undefined));
}
