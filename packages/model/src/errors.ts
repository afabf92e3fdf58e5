import { VigilError } from '@vigil/errors';

/** Every error the model package raises, by stable code. */
export type ModelErrorCode = 'MODEL_SPEC_INVALID' | 'MODEL_SPEC_MISMATCH' | 'MODEL_LOAD_FAILED' | 'INVALID_FEATURES' | 'INFERENCE_FAILED';

export class ModelError extends VigilError<ModelErrorCode> {
  constructor(code: ModelErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'ModelError';
  }
}

/** One thing wrong with one field of a request, reported back to the client as is. */
export interface FeatureProblem {
  /** Where, e.g. `features.amount` or `instances[3].merchant_category`. */
  readonly path: string;
  readonly problem: string;
}
