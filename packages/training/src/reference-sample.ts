import type { TransactionFeatures } from './feature-spec';
import type { Rng } from './prng';

/** reference.json: what the training data looked like, for drift detection at serving time. */
export interface ReferenceSample {
  readonly model_version: string;
  readonly seed: number;
  readonly rows: readonly TransactionFeatures[];
  /** The model's P(fraud) for each row, same order. */
  readonly probabilities: readonly number[];
}

/**
 * Draws up to `size` training rows without replacement (partial
 * Fisher-Yates), kept in time order so the file reads chronologically.
 */
export function drawReferenceSample(
  rng: Rng,
  rows: readonly TransactionFeatures[],
  probabilities: ArrayLike<number>,
  size: number,
  modelVersion: string,
  seed: number,
): ReferenceSample {
  const indices = Int32Array.from({ length: rows.length }, (_, i) => i);
  const take = Math.min(size, rows.length);
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(rows.length - i);
    const tmp = indices[i]!;
    indices[i] = indices[j]!;
    indices[j] = tmp;
  }
  const chosen = Array.from(indices.subarray(0, take)).sort((a, b) => a - b);
  return {
    model_version: modelVersion,
    seed,
    rows: chosen.map((i) => rows[i]!),
    probabilities: chosen.map((i) => roundTo(probabilities[i] as number, 7)),
  };
}

export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
