export { loadModel } from './model-runner';
export type { LoadModelOptions, ModelRunner, Scored } from './model-runner';
export { checkModelSpec, encodedWidth, encodeInto, INPUT_LAYOUTS, loadModelSpec, OUTPUT_TRANSFORMS } from './model-spec';
export { onnxModelProto, ONNX_FLOAT } from './onnx/onnx-schema';
export type {
  BooleanFeatureSpec,
  CategoricalFeatureSpec,
  FeatureRecord,
  FeatureSpec,
  FeatureType,
  FeatureValue,
  InputLayout,
  OutputTransform,
  TensorModelSpec,
  ModelSpec,
  NumericFeatureSpec,
} from './model-spec';
export { findFeatureProblems } from './validate-features';
export { ModelError } from './errors';
export type { FeatureProblem, ModelErrorCode } from './errors';
export { batchInference } from './inference-batcher';
export type { InferenceBatchOptions } from './inference-batcher';
export { createShadowScorer } from './shadow-scorer';
export type { ShadowScorer, ShadowScorerOptions, ShadowSkipReason } from './shadow-scorer';
export { initModel, initTargets } from './init/init-model';
export type { InitModelOptions, InitModelResult } from './init/init-model';
export { inferFeatures, MAX_CATEGORIES, sampleRecords } from './init/infer-features';
export type { ColumnSummary, FeatureInferenceOptions, InferredFeature, TypeHint } from './init/infer-features';
export { parseSampleCsv } from './init/sample-csv';
export type { SampleTable } from './init/sample-csv';
export { widenRange } from './init/numeric-range';
export type { NumericRange } from './init/numeric-range';
export { REFERENCE_MAX_ROWS } from './init/reference-files';
export { ModelInitError } from './init/init-error';
