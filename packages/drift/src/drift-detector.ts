import type { FeatureSpec, ModelSpec } from '@vigil/model';
import type { SampledPrediction } from '@vigil/stores';
import { isNumericKind, type CategoricalRule, type DriftConfig, type NumericRule } from './drift-config';
import type { DriftReport, FeatureDrift } from './drift-report';
import type { Reference } from './reference';
import { chiSquare, correctPValues, jensenShannon, ks, psiFromCounts, psiNumeric, wassersteinNormalised } from './stats';

export interface DetectDriftInput {
  readonly spec: ModelSpec;
  readonly config: DriftConfig;
  readonly reference: Reference;
  readonly current: readonly SampledPrediction[];
  readonly window: string;
  readonly modelVersion: string | null;
  readonly rowsInWindow: number;
  readonly stride: number;
  /** Features the API redacts before logging: their stored values are hashes, not comparable. */
  readonly redacted?: ReadonlySet<string>;
}

/** A verdict before multiple-testing correction: p-value tests are settled afterwards. */
type Pending = Omit<FeatureDrift, 'drift' | 'threshold'> & { drift: boolean; threshold: number; alpha?: number };

function numericDrift(name: string, rule: NumericRule, reference: number[], current: number[], largeSample: number): Pending {
  const ksResult = ks(reference, current);
  const psi = psiNumeric(reference, current, rule.psi_bins);
  const wasserstein = wassersteinNormalised(reference, current);
  const measures = { ks_statistic: ksResult.statistic, ks_p_value: ksResult.pvalue, psi, wasserstein_normed: wasserstein };
  const test = rule.test === 'auto' ? (current.length > largeSample ? 'wasserstein' : 'ks') : rule.test;
  if (test === 'ks')
    return {
      feature: name,
      kind: 'numeric',
      test,
      statistic: ksResult.statistic,
      p_value: ksResult.pvalue,
      threshold: rule.alpha,
      alpha: rule.alpha,
      drift: false,
      measures,
    };
  if (test === 'psi')
    return { feature: name, kind: 'numeric', test, statistic: psi, p_value: null, threshold: rule.psi_threshold, drift: psi >= rule.psi_threshold, measures };
  return {
    feature: name,
    kind: 'numeric',
    test,
    statistic: wasserstein,
    p_value: null,
    threshold: rule.wasserstein_threshold,
    drift: wasserstein >= rule.wasserstein_threshold,
    measures,
  };
}

function categoricalDrift(name: string, rule: CategoricalRule, reference: number[], current: number[], currentRows: number, largeSample: number): Pending {
  const chi = chiSquare(reference, current);
  const psi = psiFromCounts(reference, current);
  const js = jensenShannon(reference, current);
  const measures = { chi2_statistic: chi.statistic, chi2_p_value: chi.pvalue, psi, jensen_shannon: js };
  const test = rule.test === 'auto' ? (currentRows > largeSample ? 'jensen_shannon' : 'chi2') : rule.test;
  if (test === 'chi2')
    return {
      feature: name,
      kind: 'categorical',
      test,
      statistic: chi.statistic,
      p_value: chi.pvalue,
      threshold: rule.alpha,
      alpha: rule.alpha,
      drift: false,
      measures,
    };
  if (test === 'psi')
    return {
      feature: name,
      kind: 'categorical',
      test,
      statistic: psi,
      p_value: null,
      threshold: rule.psi_threshold,
      drift: psi >= rule.psi_threshold,
      measures,
    };
  return {
    feature: name,
    kind: 'categorical',
    test,
    statistic: js,
    p_value: null,
    threshold: rule.jensen_shannon_threshold,
    drift: js >= rule.jensen_shannon_threshold,
    measures,
  };
}

function categoriesOf(feature: FeatureSpec): string[] {
  return feature.type === 'categorical' ? [...feature.categories] : ['false', 'true'];
}

function counts(values: Iterable<unknown>, categories: readonly string[]): number[] {
  const index = new Map(categories.map((category, i) => [category, i]));
  const result = new Array<number>(categories.length).fill(0);
  for (const value of values) {
    const at = index.get(String(value));
    if (at !== undefined) result[at]! += 1;
  }
  return result;
}

function skipped(feature: string, kind: 'numeric' | 'categorical', reason: string): FeatureDrift {
  return { feature, kind, test: kind === 'numeric' ? 'ks' : 'chi2', statistic: 0, p_value: null, threshold: 0, drift: false, measures: {}, skipped: reason };
}

/**
 * Compares a window of logged predictions with the training reference,
 * feature by feature and for the model's outputs, then settles the p-value
 * tests together under the configured multiple-testing correction.
 */
export function detectDrift(input: DetectDriftInput): DriftReport {
  const steps = driftSteps(input);
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/**
 * The same, handing the event loop back between features: a report over
 * thousands of rows takes a few hundred milliseconds of CPU, and the worker
 * that evaluates drift alerts must keep writing log batches meanwhile.
 */
export async function detectDriftYielding(input: DetectDriftInput): Promise<DriftReport> {
  const steps = driftSteps(input);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function* driftSteps(input: DetectDriftInput): Generator<void, DriftReport> {
  const { spec, config, reference, current } = input;
  const pending: Pending[] = [];
  const skippedFeatures: FeatureDrift[] = [];
  const tooFew = current.length < config.min_sample;

  for (const feature of spec.features) {
    const numeric = isNumericKind(feature);
    const kind = numeric ? 'numeric' : 'categorical';
    if (input.redacted?.has(feature.name)) {
      skippedFeatures.push(skipped(feature.name, kind, 'redacted before logging (LOG_REDACT_FEATURES)'));
      continue;
    }
    if (tooFew) {
      skippedFeatures.push(skipped(feature.name, kind, `fewer than min_sample (${config.min_sample}) predictions in the window`));
      continue;
    }
    const override = config.features[feature.name] ?? {};
    if (numeric) {
      const rule = { ...config.numeric, ...override } as NumericRule;
      const ref = reference.rows.map((row) => row[feature.name]).filter((v): v is number => typeof v === 'number');
      const cur = current.map((row) => row.features[feature.name]).filter((v): v is number => typeof v === 'number');
      pending.push(numericDrift(feature.name, rule, ref, cur, config.large_sample));
      yield;
    } else {
      const rule = { ...config.categorical, ...override } as CategoricalRule;
      const categories = categoriesOf(feature);
      const ref = counts(
        reference.rows.map((row) => row[feature.name]),
        categories,
      );
      const cur = counts(
        current.map((row) => row.features[feature.name]),
        categories,
      );
      pending.push(categoricalDrift(feature.name, rule, ref, cur, current.length, config.large_sample));
      yield;
    }
  }
  const inputCount = pending.length;
  if (!tooFew) {
    const probabilityRule = { ...config.numeric, ...config.outputs.probability } as NumericRule;
    pending.push(
      numericDrift(
        'probability',
        probabilityRule,
        [...reference.probabilities],
        current.map((row) => row.probability),
        config.large_sample,
      ),
    );
    yield;
    const fraudRule = { ...config.categorical, ...config.outputs.fraud_rate } as CategoricalRule;
    const refClasses = counts(
      reference.probabilities.map((p) => (p >= spec.threshold ? 'fraud' : 'non_fraud')),
      ['non_fraud', 'fraud'],
    );
    const curClasses = counts(
      current.map((row) => (row.prediction === 1 ? 'fraud' : 'non_fraud')),
      ['non_fraud', 'fraud'],
    );
    pending.push(categoricalDrift('fraud_rate', fraudRule, refClasses, curClasses, current.length, config.large_sample));
  }

  // Every p-value test in the report is one hypothesis of the family.
  const tested = pending.filter((p) => p.p_value !== null);
  // Per-feature alphas apply to Bonferroni (alpha_i / m); Benjamini–Hochberg controls the false discovery rate at config.alpha.
  const settled = correctPValues(
    tested.map((p) => p.p_value as number),
    tested.map((p) => p.alpha ?? config.alpha),
    config.alpha,
    config.correction,
  );
  tested.forEach((p, i) => {
    p.drift = settled.rejected[i] as boolean;
    p.threshold = settled.thresholds[i] as number;
  });

  const finish = ({ alpha: _alpha, ...rest }: Pending): FeatureDrift => rest;
  const features = [...pending.slice(0, inputCount).map(finish), ...skippedFeatures];
  const order = new Map(spec.features.map((f, i) => [f.name, i]));
  features.sort((a, b) => (order.get(a.feature) ?? 0) - (order.get(b.feature) ?? 0));
  const judged = features.filter((f) => f.skipped === undefined);
  const drifted = judged.filter((f) => f.drift).length;
  const share = judged.length === 0 ? 0 : drifted / judged.length;
  return {
    window: input.window,
    model_version: input.modelVersion,
    reference: { model_version: reference.model_version, rows: reference.rows.length },
    sample: { rows_in_window: input.rowsInWindow, rows_compared: current.length, stride: input.stride },
    correction: config.correction,
    features,
    outputs: pending.slice(inputCount).map(finish),
    dataset: {
      drifted_features: drifted,
      features: judged.length,
      share,
      threshold: config.dataset_drift_share,
      drift: judged.length > 0 && share >= config.dataset_drift_share,
    },
  };
}
