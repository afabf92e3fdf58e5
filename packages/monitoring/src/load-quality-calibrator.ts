import { existsSync, readFileSync } from 'node:fs';
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

/** No quality reference: CBPE has nothing to calibrate on, so estimates answer null with this reason. */
export interface EstimatesUnavailable {
  readonly unavailable: string;
}

/** What {@link loadQualityCalibration} gives without a reference: PerformanceService takes its `calibrator` as it takes a fitted one. */
export interface UnavailableCalibration {
  readonly calibrator: EstimatesUnavailable;
  readonly model_version: null;
  readonly rows: 0;
}

/** Field names match the validated `Config` of @vigil/config. */
export interface QualityReferenceSettings {
  readonly qualityReferencePath: string;
  /** Whether QUALITY_REFERENCE_PATH was set; unset, a missing file is not an error. @defaultValue true */
  readonly qualityReferencePathGiven?: boolean;
}

/**
 * The calibrator, as {@link loadQualityCalibrator} loads it; but when
 * QUALITY_REFERENCE_PATH is unset and its default (quality-reference.json
 * beside the model) does not exist, as for a model brought without labels,
 * the estimates are unavailable instead of start-up failing. A path that was
 * set and is missing, or a broken file, still stops start-up (INVALID_REFERENCE).
 */
export function loadQualityCalibration(settings: QualityReferenceSettings): LoadedCalibrator | UnavailableCalibration {
  const path = settings.qualityReferencePath;
  if (settings.qualityReferencePathGiven === false && !existsSync(path)) {
    const unavailable =
      `no quality reference at ${path} (QUALITY_REFERENCE_PATH is unset, and the model's folder has none): CBPE needs held-out probabilities ` +
      'and labels to calibrate on; write one with `npm run cli -- model init <model.onnx> --sample <csv> --label <column>`, or set QUALITY_REFERENCE_PATH';
    return { calibrator: { unavailable }, model_version: null, rows: 0 };
  }
  return loadQualityCalibrator(path);
}
