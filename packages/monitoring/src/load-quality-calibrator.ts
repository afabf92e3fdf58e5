import { readFileSync } from 'node:fs';
import { IsotonicCalibrator, QualityError } from '@vigil/quality';

/** The calibrator CBPE uses, fitted once at start on the labeled reference `npm run train-model` writes (QUALITY_REFERENCE_PATH). */
export interface LoadedCalibrator {
  readonly calibrator: IsotonicCalibrator;
  /** The model the reference was scored with: estimates for another version use this calibration too. */
  readonly model_version: string | null;
  readonly rows: number;
}

export function loadQualityCalibrator(path: string): LoadedCalibrator {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new QualityError('INVALID_REFERENCE', `the quality reference ${path} cannot be read as JSON: ${(error as Error).message}`, { path });
  }
  const { probability, label, model_version } = (parsed ?? {}) as { probability?: unknown; label?: unknown; model_version?: unknown };
  if (!Array.isArray(probability) || !Array.isArray(label)) {
    throw new QualityError('INVALID_REFERENCE', `the quality reference ${path} must hold "probability" and "label" arrays`, { path });
  }
  // fit() checks every value and that the arrays line up, naming the row.
  return {
    calibrator: IsotonicCalibrator.fit(probability as number[], label as number[]),
    model_version: typeof model_version === 'string' ? model_version : null,
    rows: probability.length,
  };
}
