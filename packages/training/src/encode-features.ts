import { encodedWidth, encodeInto as encodeWithServingEncoder } from '@vigil/model';
import type { FeatureSpec, FeatureValue, ModelSpec } from './feature-spec';

export { encodedWidth };

/** Name of each slot of the encoded vector, e.g. "merchant_category=fuel". */
export function encodedNames(spec: Pick<ModelSpec, 'features'>): string[] {
  const names: string[] = [];
  for (const feature of spec.features) {
    if (feature.type === 'categorical') for (const category of feature.categories) names.push(`${feature.name}=${category}`);
    else names.push(feature.name);
  }
  return names;
}

/**
 * Checks what validation guarantees at serving time, so a simulator bug
 * cannot silently train on garbage: a missing or mistyped value, or an
 * unknown category, throws.
 */
function checkEncodable(spec: Pick<ModelSpec, 'features'>, features: Readonly<Record<string, FeatureValue>>): void {
  for (const feature of spec.features) {
    const value = features[feature.name];
    const ok =
      feature.type === 'categorical'
        ? typeof value === 'string' && feature.categories.includes(value)
        : feature.type === 'boolean'
          ? typeof value === 'boolean'
          : typeof value === 'number' && Number.isFinite(value);
    if (!ok) throw encodeError(feature, value);
  }
}

/** Encodes exactly as serving does (the one encoder in @vigil/model), after checking the record. */
export function encodeInto(
  spec: Pick<ModelSpec, 'features'>,
  features: Readonly<Record<string, FeatureValue>>,
  target: Float32Array | Float64Array,
  offset: number,
): void {
  checkEncodable(spec, features);
  encodeWithServingEncoder(spec, features, target, offset);
}

/** The encoded float32 vector the ONNX model's `features` input expects for one record. */
export function encodeFeatures(spec: Pick<ModelSpec, 'features'>, features: Readonly<Record<string, FeatureValue>>): Float32Array {
  const vector = new Float32Array(encodedWidth(spec));
  encodeInto(spec, features, vector, 0);
  return vector;
}

/** Row-major [rows, F] matrix for many records (float64 for training precision). */
export function encodeRows(spec: Pick<ModelSpec, 'features'>, rows: readonly Readonly<Record<string, FeatureValue>>[]): Float64Array {
  const width = encodedWidth(spec);
  const matrix = new Float64Array(rows.length * width);
  rows.forEach((row, index) => encodeInto(spec, row, matrix, index * width));
  return matrix;
}

function encodeError(feature: FeatureSpec, value: FeatureValue | undefined): Error {
  const expected = feature.type === 'categorical' ? `one of ${feature.categories.join(', ')}` : `a ${feature.type === 'boolean' ? 'boolean' : 'finite number'}`;
  return new Error(`Cannot encode feature "${feature.name}": expected ${expected}, got ${JSON.stringify(value) ?? 'nothing'}`);
}
