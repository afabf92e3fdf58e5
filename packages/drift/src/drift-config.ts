import { readFileSync } from 'node:fs';
import { VigilError } from '@vigil/errors';

/** What the config needs to know of a model feature. */
export interface FeatureKind {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'categorical';
}

export function isNumericKind(kind: FeatureKind): boolean {
  return kind.type === 'number' || kind.type === 'integer';
}

export type NumericTest = 'auto' | 'ks' | 'psi' | 'wasserstein';
export type CategoricalTest = 'auto' | 'chi2' | 'psi' | 'jensen_shannon';
export type Correction = 'bonferroni' | 'benjamini-hochberg';

export interface NumericRule {
  readonly test: NumericTest;
  readonly psi_bins: number;
  readonly psi_threshold: number;
  readonly psi_moderate: number;
  readonly wasserstein_threshold: number;
  /** For p-value tests: the family-wise alpha before correction. */
  readonly alpha: number;
}

export interface CategoricalRule {
  readonly test: CategoricalTest;
  readonly psi_threshold: number;
  readonly psi_moderate: number;
  readonly jensen_shannon_threshold: number;
  readonly alpha: number;
}

/** Per-feature settings: any field of the feature's kind's rule. */
export type FeatureOverride = Partial<Omit<NumericRule, 'test'> & Omit<CategoricalRule, 'test'>> & { readonly test?: NumericTest | CategoricalTest };

/** The validated drift settings: defaults per kind, overridden per feature and per output. */
export interface DriftConfig {
  readonly alpha: number;
  readonly correction: Correction;
  /** Dataset drift when at least this share of the features drift. */
  readonly dataset_drift_share: number;
  /** With test "auto", windows larger than this are judged by a distance, not a p-value (which flags everything at scale). */
  readonly large_sample: number;
  /** Largest number of rows read from a window (an even sample past it). */
  readonly max_sample: number;
  /** Fewer current rows than this: no verdict. */
  readonly min_sample: number;
  readonly numeric: NumericRule;
  readonly categorical: CategoricalRule;
  readonly features: Readonly<Record<string, FeatureOverride>>;
  readonly outputs: { readonly probability: Partial<NumericRule>; readonly fraud_rate: Partial<CategoricalRule> };
}

export type DriftErrorCode = 'DRIFT_CONFIG_INVALID' | 'DRIFT_REFERENCE_INVALID';

export class DriftError extends VigilError<DriftErrorCode> {
  constructor(code: DriftErrorCode, message: string) {
    super(code, message);
    this.name = 'DriftError';
  }
}

const NUMERIC_TESTS: readonly NumericTest[] = ['auto', 'ks', 'psi', 'wasserstein'];
const CATEGORICAL_TESTS: readonly CategoricalTest[] = ['auto', 'chi2', 'psi', 'jensen_shannon'];

/** Reads and checks the drift settings file; every problem names its JSON path. */
export function loadDriftConfig(path: string, features: readonly FeatureKind[]): DriftConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DriftError('DRIFT_CONFIG_INVALID', `Cannot read drift config ${path}: ${(error as Error).message}`);
  }
  return checkDriftConfig(raw, features, path);
}

export function checkDriftConfig(raw: unknown, featureKinds: readonly FeatureKind[], source = 'drift config'): DriftConfig {
  const problems: string[] = [];
  const obj = (value: unknown, where: string): Record<string, unknown> => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    problems.push(`${where}: expected an object`);
    return {};
  };
  const num = (o: Record<string, unknown>, key: string, where: string, min: number, max: number, fallback: number): number => {
    const value = o[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value >= min && value <= max)) problems.push(`${where}.${key}: expected a number from ${min} to ${max}`);
    return value as number;
  };
  const oneOf = <T extends string>(o: Record<string, unknown>, key: string, where: string, allowed: readonly T[], fallback: T): T => {
    const value = o[key];
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) problems.push(`${where}.${key}: expected one of ${allowed.join(', ')}`);
    return value as T;
  };

  const root = obj(raw, source);
  const alpha = num(root, 'alpha', source, 1e-12, 0.5, 0.05);
  const numericIn = obj(root.numeric ?? {}, `${source}.numeric`);
  const categoricalIn = obj(root.categorical ?? {}, `${source}.categorical`);
  const numericRule = (o: Record<string, unknown>, where: string, base: NumericRule | undefined): Partial<NumericRule> => ({
    ...(o.test !== undefined || !base ? { test: oneOf(o, 'test', where, NUMERIC_TESTS, base?.test ?? 'auto') } : {}),
    ...(o.psi_bins !== undefined || !base ? { psi_bins: num(o, 'psi_bins', where, 2, 100, 10) } : {}),
    ...(o.psi_threshold !== undefined || !base ? { psi_threshold: num(o, 'psi_threshold', where, 0, 100, 0.2) } : {}),
    ...(o.psi_moderate !== undefined || !base ? { psi_moderate: num(o, 'psi_moderate', where, 0, 100, 0.1) } : {}),
    ...(o.wasserstein_threshold !== undefined || !base ? { wasserstein_threshold: num(o, 'wasserstein_threshold', where, 0, 100, 0.1) } : {}),
    ...(o.alpha !== undefined || !base ? { alpha: num(o, 'alpha', where, 1e-12, 0.5, alpha) } : {}),
  });
  const categoricalRule = (o: Record<string, unknown>, where: string, base: CategoricalRule | undefined): Partial<CategoricalRule> => ({
    ...(o.test !== undefined || !base ? { test: oneOf(o, 'test', where, CATEGORICAL_TESTS, base?.test ?? 'auto') } : {}),
    ...(o.psi_threshold !== undefined || !base ? { psi_threshold: num(o, 'psi_threshold', where, 0, 100, 0.2) } : {}),
    ...(o.psi_moderate !== undefined || !base ? { psi_moderate: num(o, 'psi_moderate', where, 0, 100, 0.1) } : {}),
    ...(o.jensen_shannon_threshold !== undefined || !base ? { jensen_shannon_threshold: num(o, 'jensen_shannon_threshold', where, 0, 1, 0.1) } : {}),
    ...(o.alpha !== undefined || !base ? { alpha: num(o, 'alpha', where, 1e-12, 0.5, alpha) } : {}),
  });
  const numeric = numericRule(numericIn, `${source}.numeric`, undefined) as NumericRule;
  const categorical = categoricalRule(categoricalIn, `${source}.categorical`, undefined) as CategoricalRule;

  const features: Record<string, FeatureOverride> = {};
  for (const [name, value] of Object.entries(obj(root.features ?? {}, `${source}.features`))) {
    const kind = featureKinds.find((f) => f.name === name);
    if (kind === undefined) problems.push(`${source}.features.${name}: the model has no such feature`);
    const o = obj(value, `${source}.features.${name}`);
    const test = o.test;
    const allowed: readonly string[] = kind === undefined ? [] : isNumericKind(kind) ? NUMERIC_TESTS : CATEGORICAL_TESTS;
    if (test !== undefined && kind !== undefined && !allowed.includes(test as string)) {
      problems.push(`${source}.features.${name}.test: ${name} is ${kind.type}; expected one of ${allowed.join(', ')}`);
    }
    features[name] = {
      ...numericRule({ ...o, test: undefined }, `${source}.features.${name}`, numeric),
      ...categoricalRule({ ...o, test: undefined }, `${source}.features.${name}`, categorical),
      ...(test !== undefined ? { test: test as NumericTest | CategoricalTest } : {}),
    };
  }
  const outputsIn = obj(root.outputs ?? {}, `${source}.outputs`);
  const outputs = {
    probability: numericRule(obj(outputsIn.probability ?? {}, `${source}.outputs.probability`), `${source}.outputs.probability`, numeric),
    fraud_rate: categoricalRule(obj(outputsIn.fraud_rate ?? {}, `${source}.outputs.fraud_rate`), `${source}.outputs.fraud_rate`, categorical),
  };
  const config: DriftConfig = {
    alpha,
    correction: oneOf(root, 'correction', source, ['bonferroni', 'benjamini-hochberg'] as const, 'bonferroni'),
    dataset_drift_share: num(root, 'dataset_drift_share', source, 0, 1, 0.5),
    large_sample: num(root, 'large_sample', source, 1, 1e9, 1000),
    max_sample: num(root, 'max_sample', source, 100, 1e7, 10000),
    min_sample: num(root, 'min_sample', source, 1, 1e6, 30),
    numeric,
    categorical,
    features,
    outputs,
  };
  if (problems.length > 0) throw new DriftError('DRIFT_CONFIG_INVALID', `Invalid drift config:\n  ${problems.join('\n  ')}`);
  return Object.freeze(config);
}
