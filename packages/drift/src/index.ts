export { checkDriftConfig, loadDriftConfig } from './drift-config';
export type {
  CategoricalRule,
  CategoricalTest,
  Correction,
  DriftConfig,
  DriftErrorCode,
  FeatureKind,
  FeatureOverride,
  NumericRule,
  NumericTest,
} from './drift-config';
export type { DetectDriftInput } from './drift-detector';
export type { DriftReport, FeatureDrift } from './drift-report';
export { createDriftService } from './create-drift-service';
export type { CreateDriftServiceOptions, DriftSettings } from './create-drift-service';
export { DriftService } from './drift-service';
export type { DriftServiceOptions, DriftTimelinePoint, DriftWindow } from './drift-service';
export { renderDriftReport } from './html-report';
export { loadReference } from './reference';
export type { Reference } from './reference';
export { DEFAULT_DRIFT_CONFIG } from './default-drift-config';
