import { readFileSync } from 'node:fs';
import { DriftError } from './drift-config';

/** The training sample that drift is measured against (written by `npm run train-model`). */
export interface Reference {
  readonly model_version: string;
  readonly rows: readonly Readonly<Record<string, number | boolean | string>>[];
  /** The model's probability for each row, for output drift. */
  readonly probabilities: readonly number[];
}

export function loadReference(path: string): Reference {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DriftError('DRIFT_REFERENCE_INVALID', `Cannot read reference sample ${path}: ${(error as Error).message}`);
  }
  const reference = raw as Partial<Reference>;
  if (typeof reference.model_version !== 'string' || !Array.isArray(reference.rows) || reference.rows.length === 0) {
    throw new DriftError('DRIFT_REFERENCE_INVALID', `Reference sample ${path} needs "model_version" and a non-empty "rows" array`);
  }
  if (!Array.isArray(reference.probabilities) || reference.probabilities.length !== reference.rows.length) {
    throw new DriftError('DRIFT_REFERENCE_INVALID', `Reference sample ${path} needs one "probabilities" entry per row`);
  }
  return reference as Reference;
}
