/**
 * The model's contract with the serving code: the spec JSON shape, the
 * feature list in encoding order, and the TypeScript shape of one transaction.
 */

export const MODEL_VERSION = 'fraud-detection-model@1.0.0';
export const INPUT_NAME = 'features';
export const OUTPUT_NAME = 'probability';
export const DEFAULT_THRESHOLD = 0.5;

// The spec format is the serving contract, owned by @vigil/model; the trainer writes it.
import type { FeatureSpec, TensorModelSpec } from '@vigil/model';
export type { BooleanFeatureSpec, CategoricalFeatureSpec, FeatureSpec, FeatureType, FeatureValue, ModelSpec, NumericFeatureSpec } from '@vigil/model';

export const MERCHANT_CATEGORIES = ['grocery', 'restaurant', 'fuel', 'online_retail', 'travel', 'electronics', 'entertainment', 'health'] as const;

export type MerchantCategory = (typeof MERCHANT_CATEGORIES)[number];

/**
 * One transaction's features as the simulator emits them and a client sends
 * them. A type alias (not an interface) so it is assignable to a plain record.
 */
export type TransactionFeatures = {
  amount: number;
  velocity: number;
  hour_of_day: number;
  is_weekend: boolean;
  merchant_category: MerchantCategory;
  distance_from_home_km: number;
  card_present: boolean;
  amount_to_avg_ratio_7d: number;
  customer_tx_count_7d: number;
  terminal_risk_28d: number;
};

/**
 * Encoding order of the model input. Bounds are what a request may carry,
 * deliberately wider than anything simulated, so unusual but legitimate
 * traffic is scored rather than rejected; they only stop absurd values.
 */
export const FEATURE_SPECS: readonly FeatureSpec[] = [
  { name: 'amount', type: 'number', min: 0, max: 1_000_000, description: 'Transaction amount in the card currency.' },
  { name: 'velocity', type: 'integer', min: 0, max: 10_000, description: "Number of the customer's transactions in the 24 hours before this one." },
  { name: 'hour_of_day', type: 'integer', min: 0, max: 23, description: 'Local hour of the transaction, 0-23.' },
  { name: 'is_weekend', type: 'boolean', description: 'Whether the transaction happens on a Saturday or Sunday.' },
  {
    name: 'merchant_category',
    type: 'categorical',
    categories: MERCHANT_CATEGORIES,
    description: "Category of the terminal's merchant.",
  },
  {
    name: 'distance_from_home_km',
    type: 'number',
    min: 0,
    max: 40_000,
    description: "Distance in km between the customer's home and the terminal (or, card not present, the device's location).",
  },
  { name: 'card_present', type: 'boolean', description: 'Whether the physical card was used (false for online and phone orders).' },
  {
    name: 'amount_to_avg_ratio_7d',
    type: 'number',
    min: 0,
    max: 1_000_000,
    description: "Amount divided by the customer's mean amount over the previous 7 days; 1 when there is no history.",
  },
  { name: 'customer_tx_count_7d', type: 'integer', min: 0, max: 100_000, description: "Number of the customer's transactions in the 7 days before this one." },
  {
    name: 'terminal_risk_28d',
    type: 'number',
    min: 0,
    max: 1,
    description:
      'Share of known fraud at the terminal over the 28 days ending 7 days before the transaction (labels arrive with a 7-day delay); 0 without history.',
  },
];

export function buildModelSpec(threshold: number = DEFAULT_THRESHOLD): TensorModelSpec {
  return {
    model_version: MODEL_VERSION,
    input_name: INPUT_NAME,
    output_name: OUTPUT_NAME,
    threshold,
    features: FEATURE_SPECS,
  };
}
