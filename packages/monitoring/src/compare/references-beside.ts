import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadReference } from '@vigil/drift';
import { loadQualityCalibrator } from '../load-quality-calibrator';
import type { ModelReferences } from './model-comparison';

/**
 * A model's own references, where `model init` (or train-model) left them beside it:
 * reference.json's probabilities for output drift, quality-reference.json for CBPE.
 * A missing file leaves that part out (the comparison says null); a broken one throws, naming it.
 */
export function referencesBeside(modelPath: string): ModelReferences {
  const dir = dirname(modelPath);
  const reference = join(dir, 'reference.json');
  const quality = join(dir, 'quality-reference.json');
  return {
    probabilities: existsSync(reference) ? loadReference(reference).probabilities : undefined,
    calibrator: existsSync(quality) ? loadQualityCalibrator(quality).calibrator : undefined,
  };
}
