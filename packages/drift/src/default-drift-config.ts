/**
 * The drift settings used when DRIFT_CONFIG_PATH is unset and the model's
 * folder has no drift.config.json (a model brought with `model init`): the
 * content of artifacts/drift.config.json, with no per-feature override, so
 * they fit any feature set. Checked by checkDriftConfig like a file; a test
 * keeps the two the same.
 */
export const DEFAULT_DRIFT_CONFIG = Object.freeze({
  alpha: 0.05,
  correction: 'bonferroni',
  dataset_drift_share: 0.5,
  large_sample: 1000,
  max_sample: 10000,
  min_sample: 30,
  numeric: { test: 'auto', psi_bins: 10, psi_threshold: 0.2, psi_moderate: 0.1, wasserstein_threshold: 0.1 },
  categorical: { test: 'auto', psi_threshold: 0.2, psi_moderate: 0.1, jensen_shannon_threshold: 0.1 },
  features: {},
  outputs: { probability: { test: 'auto' }, fraud_rate: { test: 'auto' } },
});
