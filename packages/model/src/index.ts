export { loadModel } from './model-runner';
export type { LoadModelOptions, ModelRunner, Scored } from './model-runner';
export { checkModelSpec, encodedWidth, encodeInto, loadModelSpec } from './model-spec';
export type {
  BooleanFeatureSpec,
  CategoricalFeatureSpec,
  FeatureRecord,
  FeatureSpec,
  FeatureType,
  FeatureValue,
  ModelSpec,
  NumericFeatureSpec,
} from './model-spec';
export { findFeatureProblems } from './validate-features';
export { ModelError } from './errors';
export type { FeatureProblem, ModelErrorCode } from './errors';
export { batchInference } from './inference-batcher';
export type { InferenceBatchOptions } from './inference-batcher';
