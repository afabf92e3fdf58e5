export { encodedWidth, encodeFeatures, encodeInto } from './encode-features';
export { buildModelSpec, FEATURE_SPECS, MERCHANT_CATEGORIES } from './feature-spec';
export type {
  BooleanFeatureSpec,
  CategoricalFeatureSpec,
  FeatureSpec,
  FeatureType,
  FeatureValue,
  MerchantCategory,
  ModelSpec,
  NumericFeatureSpec,
  TransactionFeatures,
} from './feature-spec';
export { averagePrecision, rocAuc } from './metrics';
export type { ModelCard } from './model-card';
export { predictProbabilities } from './network';
export type { Network } from './network';
export type { ReferenceSample } from './reference-sample';
export { simulateTransactions } from './simulator';
export type { FraudScenario, SimulatedTransaction, SimulationOptions, SimulationResult, SizePreset } from './simulator';
export { trainModel } from './train-model';
export type { TrainedModel, TrainModelOptions } from './train-model';
export { ARTIFACT_FILES, writeArtifacts } from './write-artifacts';
export { createRng } from './prng';
export type { Rng } from './prng';
export { buildQualityReference, formatQualityReference } from './quality-reference';
export type { QualityReference } from './quality-reference';
