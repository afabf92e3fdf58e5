import type * as ort from 'onnxruntime-node';
import { encodedWidth, type FeatureSpec } from '../model-spec';
import { ModelInitError } from './init-error';
import type { TypeHint } from './infer-features';

type Metadata = ort.InferenceSession.ValueMetadata;
type TensorMetadata = Extract<Metadata, { isTensor: true }>;

/** How the features reach the model, as the spec will say it. */
export type InferredLayout =
  | { readonly layout: 'tensor'; readonly input: TensorMetadata; readonly width: number }
  | {
      readonly layout: 'per_feature';
      /** Feature name → the model input it feeds. */
      readonly inputs: ReadonlyMap<string, TensorMetadata>;
    };

const TENSOR_TYPES = ['float32', 'float64', 'int64'];

/** `float_input float32 [?, 9]`: an input as a message shows it. */
export function describeInput(input: Metadata): string {
  if (!input.isTensor) return `${input.name} (not a tensor)`;
  return `${input.name} ${input.type} [${input.shape.map((dim) => (typeof dim === 'number' ? dim : '?')).join(', ')}]`;
}

function widthParts(features: readonly FeatureSpec[]): string {
  const categoricals = features.filter((feature) => feature.type === 'categorical');
  const scalars = features.length - categoricals.length;
  const parts = [`${scalars} for the numbers and booleans`, ...categoricals.map((feature) => `${feature.categories.length} for ${feature.name}`)];
  return parts.join(' + ');
}

/**
 * The layout a model takes the sample's features in:
 * - one input [N, F] of float32, float64 or int64, F the features' encoded
 *   width (one value per number, integer and boolean, one per category) → tensor;
 * - one input per feature, each named like its column (or as `--input
 *   column=input` maps it) → per_feature;
 * else a {@link ModelInitError} naming the model's inputs and the columns.
 * `mapped` holds the --input pairs (column → input).
 */
export function inferLayout(features: readonly FeatureSpec[], inputs: readonly Metadata[], mapped: ReadonlyMap<string, string>): InferredLayout {
  for (const column of mapped.keys()) {
    if (!features.some((feature) => feature.name === column)) throw new ModelInitError(`--input ${column}=…: "${column}" is not one of the feature columns`);
  }
  const width = encodedWidth({ features });
  const [only] = inputs;
  if (inputs.length === 1 && only?.isTensor && only.shape.length === 2 && TENSOR_TYPES.includes(only.type)) {
    const declared = only.shape[1];
    // A width the model leaves symbolic cannot be checked here; the probe at load catches a wrong one.
    if (declared === width || (typeof declared !== 'number' && features.length > 1)) {
      if (mapped.size > 0)
        throw new ModelInitError(`--input maps columns to the inputs of a model with one input per feature; this model has one: ${describeInput(only)}`);
      return { layout: 'tensor', input: only, width };
    }
  }
  const byName = new Map(inputs.map((input) => [input.name, input]));
  const fed = new Map<string, TensorMetadata>();
  const unmatched: string[] = [];
  for (const feature of features) {
    const input = byName.get(mapped.get(feature.name) ?? feature.name);
    if (input?.isTensor) fed.set(feature.name, input);
    else unmatched.push(feature.name);
  }
  const feeding = new Set([...fed.values()].map((input) => input.name));
  const unfed = inputs.filter((input) => !feeding.has(input.name)).map((input) => input.name);
  if (unmatched.length === 0 && unfed.length === 0 && feeding.size === features.length) return { layout: 'per_feature', inputs: fed };

  const lines = [
    "the model's inputs do not fit the sample's feature columns:",
    `  model inputs: ${inputs.map(describeInput).join('; ')}`,
    `  feature columns: ${features.map((feature) => feature.name).join(', ')} (they encode to ${width} values: ${widthParts(features)})`,
  ];
  if (fed.size > 0) {
    lines.push(
      `  with one input per feature: no column feeds input(s) ${unfed.join(', ') || '(none)'}; column(s) ${unmatched.join(', ') || '(none)'} feed no input`,
    );
  }
  lines.push(
    'A model with one [N, F] input needs the features to encode to F values; a model with one input per feature needs an input named like each column ' +
      '(map a column to another name with --input column=input). Leave columns out with --exclude a,b and name the label column with --label.',
  );
  throw new ModelInitError(lines.join('\n'));
}

/** What per-feature inputs impose on their columns' types: a string input takes a category, a bool input a boolean. */
export function typeHints(layout: InferredLayout): Map<string, TypeHint> {
  const hints = new Map<string, TypeHint>();
  if (layout.layout !== 'per_feature') return hints;
  for (const [feature, input] of layout.inputs) {
    if (input.type === 'string') hints.set(feature, 'categorical');
    else if (input.type === 'bool') hints.set(feature, 'boolean');
  }
  return hints;
}
