// @ts-check
// A stand-in for a real model (an ONNX session, a scikit-learn port…): a
// logistic regression with fixed weights over three transaction features.
// What matters for the example is its shape: features in, a class and a
// probability out.

/** The version the server reports and Vigil stores with every prediction. */
export const MODEL_VERSION = 'example-logistic-1';

/** The features the model reads, with their weights. */
const WEIGHTS = Object.freeze({ amount: 0.004, velocity: 0.35, distance_from_home_km: 0.002 });
const BIAS = -4;

/** @typedef {{ amount: number; velocity: number; distance_from_home_km: number }} Features */

/**
 * Why `value` is not a valid input, or undefined when it is.
 * @param {unknown} value
 * @returns {string | undefined}
 */
export function featuresProblem(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'features must be an object';
  const features = /** @type {Record<string, unknown>} */ (value);
  for (const name of Object.keys(WEIGHTS)) {
    const x = features[name];
    if (typeof x !== 'number' || !Number.isFinite(x)) return `features.${name} must be a finite number`;
  }
  const unknown = Object.keys(features).find((name) => !(name in WEIGHTS));
  return unknown === undefined ? undefined : `features.${unknown} is not a feature of this model`;
}

/**
 * @param {Features} features
 * @returns {{ prediction: 0 | 1; probability: number }}
 */
export function score(features) {
  const z = BIAS + WEIGHTS.amount * features.amount + WEIGHTS.velocity * features.velocity + WEIGHTS.distance_from_home_km * features.distance_from_home_km;
  const probability = 1 / (1 + Math.exp(-z));
  return { prediction: probability >= 0.5 ? 1 : 0, probability };
}
