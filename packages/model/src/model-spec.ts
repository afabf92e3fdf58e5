import { readFileSync } from 'node:fs';
import { ModelError } from './errors';

export type FeatureType = 'number' | 'integer' | 'boolean' | 'categorical';

interface FeatureSpecBase {
  readonly name: string;
  readonly description?: string;
  /** With `input_layout: "per_feature"`: the model input this feature feeds. @defaultValue the feature's name */
  readonly input?: string;
}
export interface NumericFeatureSpec extends FeatureSpecBase {
  readonly type: 'number' | 'integer';
  readonly min: number;
  readonly max: number;
}
export interface BooleanFeatureSpec extends FeatureSpecBase {
  readonly type: 'boolean';
}
export interface CategoricalFeatureSpec extends FeatureSpecBase {
  readonly type: 'categorical';
  readonly categories: readonly string[];
}
export type FeatureSpec = NumericFeatureSpec | BooleanFeatureSpec | CategoricalFeatureSpec;

/** How features reach the model: one encoded [N, F] tensor, or one [N, 1] input per feature (skl2onnx with named inputs). */
export type InputLayout = 'tensor' | 'per_feature';
/** What turns the output into P(positive): nothing, a sigmoid of a logit, or a softmax over the columns. */
export type OutputTransform = 'none' | 'sigmoid' | 'softmax';
export const INPUT_LAYOUTS: readonly InputLayout[] = ['tensor', 'per_feature'];
export const OUTPUT_TRANSFORMS: readonly OutputTransform[] = ['none', 'sigmoid', 'softmax'];

/** The JSON file beside every served model: what it expects and how to feed it. */
export interface ModelSpec {
  readonly model_version: string;
  /** @defaultValue "tensor" */
  readonly input_layout?: InputLayout;
  /** With the tensor layout: the [N, F] input fed the encoded features (float32, float64 or int64, as the model declares). */
  readonly input_name?: string;
  /**
   * The output holding P(positive): [N] or [N, 1], [N, C] with the positive class at
   * `positive_class_index`, or a ZipMap's sequence of maps (the tensor feeding it is read).
   */
  readonly output_name: string;
  /** @defaultValue "none" */
  readonly output_transform?: OutputTransform;
  /** Column of the positive class in an output with two or more columns. @defaultValue 1 */
  readonly positive_class_index?: number;
  /** probability >= threshold is predicted as fraud (1). */
  readonly threshold: number;
  readonly features: readonly FeatureSpec[];
}

/** A spec whose features feed one encoded [N, F] input (what `npm run train-model` writes). */
export type TensorModelSpec = ModelSpec & { readonly input_layout?: 'tensor'; readonly input_name: string };

/** A value a client may send for one feature. */
export type FeatureValue = number | boolean | string;
export type FeatureRecord = Readonly<Record<string, FeatureValue>>;

/** Length of the encoded input vector: one slot per scalar, one per category. */
export function encodedWidth(spec: Pick<ModelSpec, 'features'>): number {
  return spec.features.reduce((width, feature) => width + (feature.type === 'categorical' ? feature.categories.length : 1), 0);
}

/**
 * Writes one validated record into `target` at `offset` in the spec's order:
 * numbers as they are, booleans as 1/0, categoricals one-hot. The trainer
 * encodes its training rows the same way (a test checks the two agree).
 */
export function encodeInto(spec: Pick<ModelSpec, 'features'>, record: FeatureRecord, target: Float32Array | Float64Array, offset: number): void {
  let at = offset;
  for (const feature of spec.features) {
    const value = record[feature.name];
    if (feature.type === 'categorical') {
      for (const category of feature.categories) target[at++] = category === value ? 1 : 0;
    } else if (feature.type === 'boolean') {
      target[at++] = value === true ? 1 : 0;
    } else {
      target[at++] = value as number;
    }
  }
}

export function loadModelSpec(path: string): ModelSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelError('MODEL_SPEC_INVALID', `Cannot read model spec ${path}: ${(error as Error).message}`, { path });
  }
  return checkModelSpec(parsed, path);
}

/** Fails fast, naming the field, on a spec that serving could not honour. */
export function checkModelSpec(value: unknown, source: string): ModelSpec {
  const fail = (what: string): never => {
    throw new ModelError('MODEL_SPEC_INVALID', `Model spec ${source}: ${what}`, { source });
  };
  if (typeof value !== 'object' || value === null) return fail('expected a JSON object');
  const spec = value as Record<string, unknown>;
  for (const key of ['model_version', 'output_name'] as const) {
    if (typeof spec[key] !== 'string' || spec[key] === '') fail(`"${key}" must be a non-empty string`);
  }
  const layout = spec.input_layout ?? 'tensor';
  if (!INPUT_LAYOUTS.includes(layout as InputLayout)) fail(`"input_layout" must be one of ${INPUT_LAYOUTS.join(', ')}`);
  if (layout === 'tensor' && (typeof spec.input_name !== 'string' || spec.input_name === '')) {
    fail('"input_name" must be a non-empty string (the [N, F] input) unless "input_layout" is "per_feature"');
  }
  if (spec.output_transform !== undefined && !OUTPUT_TRANSFORMS.includes(spec.output_transform as OutputTransform)) {
    fail(`"output_transform" must be one of ${OUTPUT_TRANSFORMS.join(', ')}`);
  }
  if (spec.positive_class_index !== undefined && !(Number.isInteger(spec.positive_class_index) && (spec.positive_class_index as number) >= 0)) {
    fail('"positive_class_index" must be an integer >= 0');
  }
  if (typeof spec.threshold !== 'number' || !(spec.threshold > 0 && spec.threshold < 1)) fail('"threshold" must be a number between 0 and 1');
  if (!Array.isArray(spec.features) || spec.features.length === 0) return fail('"features" must be a non-empty array');
  const names = new Set<string>();
  spec.features.forEach((feature: unknown, index: number) => {
    const where = `features[${index}]`;
    if (typeof feature !== 'object' || feature === null) return fail(`${where} must be an object`);
    const f = feature as Record<string, unknown>;
    if (typeof f.name !== 'string' || f.name === '') fail(`${where}.name must be a non-empty string`);
    if (names.has(f.name as string)) fail(`${where}.name "${String(f.name)}" is used twice`);
    names.add(f.name as string);
    if (f.input !== undefined && (typeof f.input !== 'string' || f.input === '')) fail(`${where}.input must be a non-empty string`);
    if (f.type === 'number' || f.type === 'integer') {
      if (typeof f.min !== 'number' || typeof f.max !== 'number' || !(f.min <= f.max)) fail(`${where} needs numeric min <= max`);
    } else if (f.type === 'categorical') {
      if (!Array.isArray(f.categories) || f.categories.length === 0 || !f.categories.every((c) => typeof c === 'string')) {
        fail(`${where}.categories must be a non-empty array of strings`);
      }
    } else if (f.type !== 'boolean') {
      fail(`${where}.type must be number, integer, boolean or categorical`);
    }
    return undefined;
  });
  return Object.freeze(spec) as unknown as ModelSpec;
}
