import type { FeatureSpec } from './feature-spec';
import type { FraudScenario } from './raw-transactions';

export interface SplitStats {
  readonly rows: number;
  readonly days: string;
  readonly fraud_rate: number;
  readonly fraud_by_scenario: Readonly<Record<FraudScenario, number>>;
}

export interface EvaluationMetrics {
  readonly roc_auc: number;
  readonly average_precision: number;
}

/** model-card.json: what was trained, on what, and how well it does. No dates, so it is reproducible. */
export interface ModelCard {
  readonly model_version: string;
  readonly seed: number;
  readonly algorithm: {
    readonly type: 'mlp' | 'logistic_regression';
    readonly hidden_units: number;
    readonly activation: string;
    readonly output: 'sigmoid';
    readonly loss: 'binary_cross_entropy';
    readonly optimizer: 'adam';
    readonly learning_rate: number;
    readonly learning_rate_schedule: string;
    readonly batch_size: number;
    readonly epochs: number;
    readonly l2: number;
    readonly standardisation: string;
  };
  readonly data: {
    readonly simulator: string;
    readonly customers: number;
    readonly terminals: number;
    readonly days: number;
    readonly warmup_days: number;
    readonly fraud_scenarios: {
      readonly large_amount_threshold: number;
      readonly compromised_terminals_per_day: number;
      readonly compromised_terminal_days: number;
      readonly compromised_cards_per_day: number;
      readonly compromised_card_days: number;
    };
    readonly split: string;
    readonly rows: { readonly train: number; readonly test: number };
    readonly fraud_rate: { readonly train: number; readonly test: number };
    readonly train: SplitStats;
    readonly test: SplitStats;
  };
  readonly features: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  readonly encoded_width: number;
  readonly onnx: { readonly ir_version: number; readonly opset: number; readonly input: string; readonly output: string };
  readonly metrics: {
    readonly test: EvaluationMetrics & {
      readonly threshold: number;
      readonly precision_at_threshold: number;
      readonly recall_at_threshold: number;
      readonly flagged_rate_at_threshold: number;
      readonly recall_by_scenario_at_threshold: Readonly<Partial<Record<FraudScenario, number>>>;
    };
    readonly train: EvaluationMetrics;
  };
  readonly limitations: readonly string[];
}

export function describeFeatures(features: readonly FeatureSpec[]): ModelCard['features'] {
  return features.map((feature) => ({ name: feature.name, type: feature.type }));
}

/** model-card.md: the same figures for a human reader. */
export function modelCardMarkdown(card: ModelCard): string {
  const { algorithm: a, data: d, metrics: m } = card;
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const lines = [
    `# Model card: ${card.model_version}`,
    '',
    `Fraud classifier trained by \`npm run train-model\` (seed ${card.seed}) on simulated card transactions; ` +
      'regenerate it to reproduce every figure here byte for byte.',
    '',
    '## Model',
    '',
    a.type === 'mlp'
      ? `- Multilayer perceptron: ${card.encoded_width} inputs, one hidden layer of ${a.hidden_units} ${a.activation} units, sigmoid output.`
      : `- Logistic regression on ${card.encoded_width} inputs.`,
    `- Adam, learning rate ${a.learning_rate} (${a.learning_rate_schedule}), batch ${a.batch_size}, ${a.epochs} epochs, L2 ${a.l2}, binary cross-entropy.`,
    `- ${a.standardisation}`,
    `- ONNX IR ${card.onnx.ir_version}, opset ${card.onnx.opset}: input ${card.onnx.input}, output ${card.onnx.output}.`,
    '',
    '## Data',
    '',
    `- ${d.simulator}`,
    `- ${d.customers} customers, ${d.terminals} terminals, ${d.days} days (after ${d.warmup_days} warm-up days that only provide history).`,
    `- ${d.split}`,
    `- Train: ${d.rows.train} rows, fraud rate ${pct(d.fraud_rate.train)}. Test: ${d.rows.test} rows, fraud rate ${pct(d.fraud_rate.test)}.`,
    '',
    '## Features',
    '',
    ...card.features.map((f) => `- \`${f.name}\` (${f.type})`),
    '',
    '## Held-out performance (test days)',
    '',
    '| metric | test | train |',
    '| --- | --- | --- |',
    `| ROC AUC | ${m.test.roc_auc.toFixed(4)} | ${m.train.roc_auc.toFixed(4)} |`,
    `| Average precision | ${m.test.average_precision.toFixed(4)} | ${m.train.average_precision.toFixed(4)} |`,
    '',
    `At threshold ${m.test.threshold}: precision ${m.test.precision_at_threshold.toFixed(4)}, ` +
      `recall ${m.test.recall_at_threshold.toFixed(4)}, ${pct(m.test.flagged_rate_at_threshold)} of transactions flagged.`,
    `Recall by scenario: ${Object.entries(m.test.recall_by_scenario_at_threshold)
      .map(([scenario, recall]) => `${scenario} ${(recall ?? 0).toFixed(4)}`)
      .join(', ')}.`,
    '',
    '## Limitations',
    '',
    ...card.limitations.map((l) => `- ${l}`),
    '',
  ];
  return lines.join('\n');
}
