import { createRng } from '@vigil/training';
/**
 * The rules simulate draws labels by. Both start from the model's
 * probability after the calibration CBPE uses (the isotonic fit on
 * QUALITY_REFERENCE_PATH): the model's raw probabilities are not exactly
 * calibrated (mid-range scores are fraud more often than they say), so labels
 * drawn from the raw probability would already part realized from estimated.
 */
export type LabelRule = (probability: number, draw: number) => 0 | 1;

/**
 * Concept drift: half of what the model flags as fraud turns out legitimate,
 * and 1% of everything is fraud the model does not see. Realized precision
 * and recall both fall below CBPE's estimate, which still believes the old rule.
 */
export const shiftedProbability = (calibrated: number): number => 0.5 * calibrated + 0.01;

/** calibrated: label ~ Bernoulli(calibrated probability), the world CBPE assumes. shifted: ~ Bernoulli(shiftedProbability). */
export function labelRule(name: 'calibrated' | 'shifted', calibrate: (probability: number) => number): LabelRule {
  const chance = name === 'calibrated' ? calibrate : (p: number) => shiftedProbability(calibrate(p));
  return (probability, draw) => (draw < chance(probability) ? 1 : 0);
}

/** A seeded generator in [0, 1): the same seed, the same label draws for the same answers (the trainer's generator). */
export function seededRandom(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}
