import { encodedWidth, encodeRows } from './encode-features';
import { buildModelSpec, DEFAULT_THRESHOLD, type TransactionFeatures } from './feature-spec';
import type { TensorModelSpec } from '@vigil/model';
import { averagePrecision, metricsAtThreshold, rocAuc } from './metrics';
import { describeFeatures, type EvaluationMetrics, type ModelCard, type SplitStats } from './model-card';
import { predictProbabilities, roundToFloat32, type Network } from './network';
import { IR_VERSION, networkToOnnx, OPSET_VERSION } from './onnx-writer';
import { createRng } from './prng';
import type { FraudScenario } from './raw-transactions';
import { drawReferenceSample, roundTo, type ReferenceSample } from './reference-sample';
import { simulateTransactions, type SimulatedTransaction, type SimulationOptions } from './simulator';
import { fitStandardizer } from './standardizer';
import { trainNetwork, type NetworkOptions } from './train-network';

export const DEFAULT_SEED = 42;

export const DEFAULT_NETWORK: NetworkOptions = {
  hiddenUnits: 16,
  activation: 'relu',
  epochs: 6,
  batchSize: 256,
  learningRate: 0.005,
  l2: 1e-5,
};

/** Where trainModel is: the phases that take time, in order; `done` of `total` steps within one (training counts optimizer steps). */
export interface TrainingProgress {
  readonly phase: 'simulate' | 'train' | 'evaluate';
  readonly done: number;
  readonly total: number;
  /** The epoch being trained, and how many there are (phase `train`). */
  readonly epoch?: number;
  readonly epochs?: number;
}

export interface TrainModelOptions extends Omit<SimulationOptions, 'seed'> {
  /** Hears where training is, for a progress display; it draws nothing and changes no result. */
  readonly onProgress?: (progress: TrainingProgress) => void;
  /** Seeds the simulation, the initial weights, shuffling and the reference sample. @defaultValue 42 */
  readonly seed?: number;
  readonly network?: Partial<NetworkOptions>;
  /** Share of the last days held out as the test set. @defaultValue 0.2 */
  readonly testFraction?: number;
  /** Rows in reference.json. @defaultValue 5000 */
  readonly referenceRows?: number;
  readonly threshold?: number;
}

export interface TrainedModel {
  readonly spec: TensorModelSpec;
  /** Float32-exact parameters: the same numbers the ONNX file holds. */
  readonly network: Network;
  /** model.onnx bytes. */
  readonly onnx: Uint8Array;
  readonly card: ModelCard;
  readonly reference: ReferenceSample;
  /** The held-out rows, for evaluating or exercising the exported model. */
  readonly test: { readonly rows: readonly TransactionFeatures[]; readonly labels: Uint8Array; readonly probabilities: Float64Array };
}

/**
 * Simulates the data, trains the classifier on the earlier days, evaluates it
 * on the held-out later days and builds every artifact in memory (see
 * writeArtifacts to put them on disk). Deterministic for a given seed and size.
 */
export function trainModel(options: TrainModelOptions = {}): TrainedModel {
  const seed = options.seed ?? DEFAULT_SEED;
  const settings: NetworkOptions = { ...DEFAULT_NETWORK, ...options.network };
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const spec = buildModelSpec(threshold);

  const report = options.onProgress ?? (() => undefined);
  report({ phase: 'simulate', done: 0, total: 1 });
  const simulation = simulateTransactions({ ...options, seed });
  // Time-based split, as a deployed model only ever scores days after its training data.
  const testDays = Math.max(1, Math.round(simulation.days * (options.testFraction ?? 0.2)));
  const firstTestDay = simulation.days - testDays;
  const train = simulation.transactions.filter((tx) => tx.day < firstTestDay);
  const test = simulation.transactions.filter((tx) => tx.day >= firstTestDay);
  if (train.length === 0 || test.length === 0) throw new Error('the simulation is too small to split into train and test days');

  const trainRows = encodeRows(
    spec,
    train.map((tx) => tx.features),
  );
  const trainLabels = Uint8Array.from(train, (tx) => tx.label);
  const testRows = encodeRows(
    spec,
    test.map((tx) => tx.features),
  );
  const testLabels = Uint8Array.from(test, (tx) => tx.label);

  // A stream of its own, so training draws never shift the simulation's.
  const rng = createRng((seed ^ 0x7f4a7c15) >>> 0);
  const standardizer = fitStandardizer(spec.features, trainRows, train.length);
  const network = roundToFloat32(
    trainNetwork(trainRows, trainLabels, standardizer, settings, rng.fork(), (done, total, epoch) =>
      report({ phase: 'train', done, total, epoch, epochs: settings.epochs }),
    ),
  );
  report({ phase: 'evaluate', done: 0, total: 1 });

  const trainScores = predictProbabilities(network, trainRows, train.length);
  const testScores = predictProbabilities(network, testRows, test.length);
  const atThreshold = metricsAtThreshold(testLabels, testScores, threshold);

  const onnx = networkToOnnx(network, {
    inputName: spec.input_name,
    outputName: spec.output_name,
    modelVersion: spec.model_version,
    docString: 'P(fraud) for a card transaction. Input: features encoded per model.spec.json; standardisation is inside the graph.',
  });

  const card: ModelCard = {
    model_version: spec.model_version,
    seed,
    algorithm: {
      type: settings.hiddenUnits > 0 ? 'mlp' : 'logistic_regression',
      hidden_units: settings.hiddenUnits,
      activation: settings.hiddenUnits > 0 ? settings.activation : 'none',
      output: 'sigmoid',
      loss: 'binary_cross_entropy',
      optimizer: 'adam',
      learning_rate: settings.learningRate,
      learning_rate_schedule: 'linear decay to 10% over training',
      batch_size: settings.batchSize,
      epochs: settings.epochs,
      l2: settings.l2,
      standardisation:
        'Numeric inputs are standardised with training-set mean and standard deviation inside the ONNX graph (Sub, Div); ' +
        'booleans and one-hot slots pass through.',
    },
    data: {
      simulator:
        'Seeded transaction simulator after the Fraud Detection Handbook (Le Borgne et al.): ' +
        'customer spending profiles and terminal locations; fraud from large amounts, compromised terminals and compromised cards.',
      customers: simulation.customers,
      terminals: simulation.terminals,
      days: simulation.days,
      warmup_days: simulation.warmupDays,
      fraud_scenarios: {
        large_amount_threshold: simulation.fraudRates.largeAmountThreshold,
        compromised_terminals_per_day: roundTo(simulation.fraudRates.terminalsPerDay, 4),
        compromised_terminal_days: simulation.fraudRates.terminalDays,
        compromised_cards_per_day: roundTo(simulation.fraudRates.cardsPerDay, 4),
        compromised_card_days: simulation.fraudRates.cardDays,
      },
      split: `Time-based: train on days 0-${firstTestDay - 1}, test on days ${firstTestDay}-${simulation.days - 1}.`,
      rows: { train: train.length, test: test.length },
      fraud_rate: { train: fraudRate(trainLabels), test: fraudRate(testLabels) },
      train: splitStats(train, `0-${firstTestDay - 1}`),
      test: splitStats(test, `${firstTestDay}-${simulation.days - 1}`),
    },
    features: describeFeatures(spec.features),
    encoded_width: encodedWidth(spec),
    onnx: {
      ir_version: IR_VERSION,
      opset: OPSET_VERSION,
      input: `${spec.input_name} float32 [N, ${encodedWidth(spec)}]`,
      output: `${spec.output_name} float32 [N, 1]`,
    },
    metrics: {
      test: {
        ...evaluate(testLabels, testScores),
        threshold,
        precision_at_threshold: roundTo(atThreshold.precision, 4),
        recall_at_threshold: roundTo(atThreshold.recall, 4),
        flagged_rate_at_threshold: roundTo(atThreshold.flagged_rate, 6),
        recall_by_scenario_at_threshold: recallByScenario(test, testScores, threshold),
      },
      train: evaluate(trainLabels, trainScores),
    },
    limitations: [
      'Trained and evaluated on simulated data only; real fraud patterns, rates and feature distributions differ.',
      'Compromised-terminal fraud is only visible through terminal_risk_28d, whose labels arrive 7 days late, ' +
        'so the first week of a compromise is largely missed.',
      'Scores are not calibrated to any real fraud rate; choose the threshold for the cost of false alarms versus missed fraud.',
    ],
  };

  const reference = drawReferenceSample(
    rng.fork(),
    train.map((tx) => tx.features),
    trainScores,
    options.referenceRows ?? 5000,
    spec.model_version,
    seed,
  );
  return { spec, network, onnx, card, reference, test: { rows: test.map((tx) => tx.features), labels: testLabels, probabilities: testScores } };
}

function evaluate(labels: Uint8Array, scores: Float64Array): EvaluationMetrics {
  return { roc_auc: roundTo(rocAuc(labels, scores), 4), average_precision: roundTo(averagePrecision(labels, scores), 4) };
}

function fraudRate(labels: Uint8Array): number {
  let positives = 0;
  for (const label of labels) positives += label;
  return roundTo(positives / labels.length, 6);
}

const SCENARIOS: readonly FraudScenario[] = ['legit', 'large_amount', 'compromised_terminal', 'compromised_card'];

function splitStats(transactions: readonly SimulatedTransaction[], days: string): SplitStats {
  const counts = Object.fromEntries(SCENARIOS.map((s) => [s, 0])) as Record<FraudScenario, number>;
  let fraud = 0;
  for (const tx of transactions) {
    counts[tx.scenario]++;
    fraud += tx.label;
  }
  return { rows: transactions.length, days, fraud_rate: roundTo(fraud / transactions.length, 6), fraud_by_scenario: counts };
}

function recallByScenario(transactions: readonly SimulatedTransaction[], scores: Float64Array, threshold: number): Partial<Record<FraudScenario, number>> {
  const result: Partial<Record<FraudScenario, number>> = {};
  for (const scenario of SCENARIOS.slice(1)) {
    let total = 0;
    let caught = 0;
    transactions.forEach((tx, i) => {
      if (tx.scenario !== scenario) return;
      total++;
      if (scores[i]! >= threshold) caught++;
    });
    if (total > 0) result[scenario] = roundTo(caught / total, 4);
  }
  return result;
}
