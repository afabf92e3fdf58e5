import type { FeatureSpec } from './feature-spec';

/**
 * Per-column mean and scale of the encoded training matrix. Only numeric
 * features are standardised; booleans and one-hot slots stay 0/1 (mean 0,
 * scale 1) so their meaning is unchanged inside the graph.
 */
export function fitStandardizer(features: readonly FeatureSpec[], rows: Float64Array, count: number): { mean: Float64Array; scale: Float64Array } {
  const numeric: boolean[] = [];
  for (const feature of features) {
    if (feature.type === 'categorical') for (let i = 0; i < feature.categories.length; i++) numeric.push(false);
    else numeric.push(feature.type !== 'boolean');
  }
  const width = numeric.length;
  const mean = new Float64Array(width);
  const scale = new Float64Array(width).fill(1);
  for (let j = 0; j < width; j++) {
    if (!numeric[j]) continue;
    let sum = 0;
    for (let r = 0; r < count; r++) sum += rows[r * width + j]!;
    const m = sum / count;
    let squares = 0;
    for (let r = 0; r < count; r++) squares += (rows[r * width + j]! - m) ** 2;
    const sd = Math.sqrt(squares / count);
    mean[j] = m;
    scale[j] = sd > 1e-12 ? sd : 1; // a constant column must not divide by zero
  }
  return { mean, scale };
}
