import { objectOf, orNull, schemaRef, type JsonSchema } from './openapi-types';

const count: JsonSchema = { type: 'integer', minimum: 0 };
const time: JsonSchema = { type: 'string', format: 'date-time' };
const figure: JsonSchema = orNull('number', { description: 'null when undefined for these rows.' });

const confusion = { rows: count, tp: { type: 'number' }, fp: { type: 'number' }, tn: { type: 'number' }, fn: { type: 'number' } };
const ratios = { precision: figure, recall: figure, f1: figure, roc_auc: figure };

/** The figures of one span of predictions (GET /monitoring/performance, each timeline bucket). */
const performanceFigures = {
  predictions: count,
  labeled: count,
  label_coverage: figure,
  label_delay_seconds: objectOf({ p50: figure, p95: figure }, { description: 'From prediction to its first label.' }),
  realized: objectOf(
    {
      ...confusion,
      ...ratios,
      accuracy: figure,
      average_precision: figure,
      brier: figure,
      log_loss: figure,
      calibration: {
        type: 'array',
        items: objectOf({ bin_lower: { type: 'number' }, bin_upper: { type: 'number' }, count, mean_probability: figure, observed_rate: figure }),
      },
    },
    { description: 'Over the labeled predictions.' },
  ),
  estimated: objectOf(
    {
      rows: count,
      tp: orNull('number'),
      fp: orNull('number'),
      tn: orNull('number'),
      fn: orNull('number'),
      ...ratios,
      sampling_error: objectOf(ratios),
      unavailable: { type: 'string', description: 'Present (and every figure null) when there is no quality reference to calibrate CBPE on.' },
    },
    // `unavailable` only comes with a missing quality reference.
    {
      description: 'CBPE estimates over the unlabeled predictions.',
      required: ['rows', 'tp', 'fp', 'tn', 'fn', 'precision', 'recall', 'f1', 'roc_auc', 'sampling_error'],
    },
  ),
  gap: objectOf({ rows: count, ...ratios }, { description: 'Realized minus estimated, over the labeled rows.' }),
};

const featureDrift: JsonSchema = {
  type: 'object',
  required: ['feature', 'kind', 'test', 'statistic', 'p_value', 'threshold', 'drift', 'measures'],
  properties: {
    feature: { type: 'string' },
    kind: { type: 'string', enum: ['numeric', 'categorical'] },
    test: { type: 'string', enum: ['ks', 'psi', 'wasserstein', 'chi2', 'jensen_shannon'], description: 'The test that decided the verdict.' },
    statistic: { type: 'number' },
    p_value: orNull('number', { description: 'For ks and chi2; null for distance measures.' }),
    threshold: { type: 'number' },
    drift: { type: 'boolean' },
    measures: { type: 'object', additionalProperties: orNull('number'), description: 'Every measure computed, whichever decided.' },
    skipped: { type: 'string', description: 'Why there is no verdict (too few rows, a redacted feature).' },
  },
};

/** Model quality, drift and alerts: the answers that compare the logged predictions with something. */
export const QUALITY_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Performance: objectOf({
    window: { type: 'string' },
    model_version: orNull('string'),
    threshold: orNull('number', { description: "null: each row's stored prediction (the model's threshold); else the bin edge nearest the one asked for." }),
    threshold_requested: orNull('number'),
    ...performanceFigures,
  }),
  PerformanceTimeline: objectOf({
    window: { type: 'string' },
    bucket: { type: 'string', enum: ['1m', '1h', '1d'] },
    model_version: orNull('string'),
    threshold: orNull('number'),
    buckets: { type: 'array', description: 'Oldest first; only buckets holding predictions.', items: objectOf({ start: time, ...performanceFigures }) },
  }),
  FeatureDrift: featureDrift,
  DriftReport: objectOf({
    window: { type: 'string' },
    model_version: orNull('string'),
    reference: objectOf({ model_version: { type: 'string' }, rows: count }),
    sample: objectOf({ rows_in_window: count, rows_compared: count, stride: { type: 'integer', minimum: 1 } }),
    correction: { type: 'string', enum: ['bonferroni', 'benjamini-hochberg'] },
    features: { type: 'array', items: schemaRef('FeatureDrift') },
    outputs: { type: 'array', items: schemaRef('FeatureDrift') },
    dataset: objectOf({ drifted_features: count, features: count, share: { type: 'number' }, threshold: { type: 'number' }, drift: { type: 'boolean' } }),
  }),
  DriftTimeline: objectOf({
    window: { type: 'string' },
    bucket: { type: 'string' },
    points: {
      type: 'array',
      items: objectOf({
        start: time,
        rows_compared: count,
        dataset_drift: { type: 'boolean' },
        drift_share: { type: 'number' },
        features: {
          type: 'object',
          description: 'Per feature and model output.',
          additionalProperties: objectOf({ statistic: { type: 'number' }, drift: { type: 'boolean' }, test: { type: 'string' } }),
        },
      }),
    },
  }),
  Comparison: objectOf({
    window: { type: 'string' },
    since: time,
    champion_predictions: { ...count, description: 'Champion predictions in the window, shadowed or not.' },
    comparisons: {
      type: 'array',
      description: 'One per (champion version, shadow version) that ran in the window.',
      items: {
        type: 'object',
        required: ['champion_version', 'shadow_version', 'paired', 'labeled', 'agreement_rate', 'probability_difference', 'champion', 'shadow'],
        properties: {
          champion_version: { type: 'string' },
          shadow_version: { type: 'string' },
          paired: { ...count, description: 'Instances both models scored.' },
          labeled: count,
          agreement_rate: { type: 'number', minimum: 0, maximum: 1, description: 'Share of pairs where both predicted the same class.' },
          probability_difference: { type: 'object', description: 'shadow − champion: mean, mean_absolute, max_absolute, p05, p50, p95 and a histogram.' },
          champion: { type: 'object', description: 'model_version, fraud_rate, mean_probability, output_drift, realized, estimated.' },
          shadow: { type: 'object', description: 'The same, for the shadow model.' },
        },
      },
    },
  }),
  Alerts: objectOf({
    evaluation_interval_seconds: { type: 'number' },
    rules: {
      type: 'array',
      items: objectOf({
        name: { type: 'string' },
        kind: { type: 'string' },
        severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
        threshold: { type: 'number' },
        window: { type: 'string' },
        for: { type: 'string' },
        description: { type: 'string' },
        state: { type: 'string', enum: ['inactive', 'pending', 'firing'] },
        value: orNull('number'),
        evaluated_at: orNull('string', { format: 'date-time' }),
      }),
    },
    firing: { type: 'array', items: objectOf({ rule: { type: 'string' }, since: time, value: orNull('number'), threshold: orNull('number') }) },
    history: {
      type: 'array',
      description: 'Recent state changes, newest first.',
      items: {
        type: 'object',
        required: ['rule', 'from_state', 'to_state', 'at'],
        properties: { id: { type: 'integer' }, rule: { type: 'string' }, from_state: { type: 'string' }, to_state: { type: 'string' }, at: time },
      },
    },
  }),
};
