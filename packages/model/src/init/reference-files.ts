import type { FeatureRecord } from '../model-spec';

/**
 * Rows a drift reference holds at most: drift's default max_sample, the most
 * rows it compares from a window (artifacts/drift.config.json). More would
 * only make every report slower.
 */
export const REFERENCE_MAX_ROWS = 10_000;

/** At most `max` of `count` indices, evenly spread and in order, so the same sample always gives the same reference. */
export function evenIndices(count: number, max: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * count) / max));
}

/** reference.json as @vigil/drift's loadReference reads it: the rows drift compares windows with, and their probabilities for output drift. */
export interface DriftReferenceFile {
  readonly model_version: string;
  readonly source: string;
  readonly rows: readonly FeatureRecord[];
  readonly probabilities: readonly number[];
}

/** quality-reference.json as @vigil/monitoring's loadQualityCalibrator reads it: labeled probabilities CBPE calibrates on. */
export interface QualityReferenceFile {
  readonly model_version: string;
  readonly source: string;
  readonly rows: number;
  readonly probability: readonly number[];
  readonly label: readonly (0 | 1)[];
}

export function driftReference(version: string, source: string, records: readonly FeatureRecord[], probabilities: readonly number[]): DriftReferenceFile {
  const picked = evenIndices(records.length, REFERENCE_MAX_ROWS);
  return {
    model_version: version,
    source: picked.length < records.length ? `${source} (${picked.length} of ${records.length} rows, evenly spaced)` : source,
    rows: picked.map((i) => records[i]!),
    probabilities: picked.map((i) => probabilities[i]!),
  };
}

export function qualityReference(version: string, source: string, probabilities: readonly number[], labels: readonly (0 | 1)[]): QualityReferenceFile {
  return { model_version: version, source, rows: probabilities.length, probability: probabilities, label: labels };
}
