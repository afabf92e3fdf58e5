import type { TransactionFeatures } from './feature-spec';
import { applyCompromisedCards, applyCompromisedTerminals, applyLargeAmounts, type FraudRates } from './fraud-scenarios';
import { computeHistoryFeatures, LABEL_DELAY_DAYS, sortByTime, TERMINAL_WINDOW_DAYS } from './history-features';
import { createRng } from './prng';
import { generateLegitTransactions, SECONDS_PER_DAY, type FraudScenario } from './raw-transactions';
import { createWorld } from './world';

export type { FraudScenario } from './raw-transactions';

/** Named sizes: `tiny` for tests, `default` for the committed model. */
export const SIZE_PRESETS = {
  tiny: { customers: 600, terminals: 600, days: 42 },
  small: { customers: 1500, terminals: 1500, days: 84 },
  default: { customers: 3000, terminals: 3000, days: 120 },
  large: { customers: 6000, terminals: 6000, days: 180 },
} as const;

export type SizePreset = keyof typeof SIZE_PRESETS;

export interface SimulationOptions {
  readonly seed: number;
  /** A preset; `customers`, `terminals` and `days` override it. @defaultValue 'default' */
  readonly size?: SizePreset;
  readonly customers?: number;
  readonly terminals?: number;
  /** Days of returned transactions. */
  readonly days?: number;
  /**
   * Days simulated before the first returned one so that every returned
   * transaction has a full history (7-day customer windows, 28-day terminal
   * window after the 7-day label delay). @defaultValue 35
   */
  readonly warmupDays?: number;
  /** Overrides of the fraud scenario rates (defaults scale with the world's size). */
  readonly fraud?: Partial<FraudRates>;
}

export interface SimulatedTransaction {
  /** Position in time order, from 0. */
  readonly id: number;
  /** Seconds since the start of returned day 0. */
  readonly time: number;
  /** Day index from 0 (returned day 0 is a Monday when warmupDays is a multiple of 7). */
  readonly day: number;
  readonly customerId: number;
  readonly terminalId: number;
  readonly features: TransactionFeatures;
  /** 1 for fraud. */
  readonly label: 0 | 1;
  /** Which scenario made it fraud ('legit' when it is not). */
  readonly scenario: FraudScenario;
}

export interface SimulationResult {
  readonly seed: number;
  readonly customers: number;
  readonly terminals: number;
  readonly days: number;
  readonly warmupDays: number;
  readonly fraudRates: FraudRates;
  /** In time order. */
  readonly transactions: readonly SimulatedTransaction[];
}

export const DEFAULT_WARMUP_DAYS = LABEL_DELAY_DAYS + TERMINAL_WINDOW_DAYS;

/**
 * Simulates card transactions with three fraud scenarios (Le Borgne et al.,
 * Fraud Detection Handbook) and returns each with its features and label.
 * Deterministic: the same options give the same transactions.
 */
export function simulateTransactions(options: SimulationOptions): SimulationResult {
  const preset = SIZE_PRESETS[options.size ?? 'default'];
  const customers = options.customers ?? preset.customers;
  const terminals = options.terminals ?? preset.terminals;
  const days = options.days ?? preset.days;
  const warmupDays = options.warmupDays ?? DEFAULT_WARMUP_DAYS;
  const totalDays = warmupDays + days;
  const fraudRates: FraudRates = {
    largeAmountThreshold: 220,
    // Handbook: 2 of 10,000 terminals and 3 of 5,000 cards a day; a bit more here
    // so that small worlds still see every scenario.
    terminalsPerDay: terminals * 0.0003,
    terminalDays: 28,
    cardsPerDay: customers * 0.0008,
    cardDays: 14,
    ...options.fraud,
  };

  // Separate streams per stage: changing one stage's draws leaves the others' intact.
  const root = createRng(options.seed);
  const worldRng = root.fork();
  const legitRng = root.fork();
  const cardRng = root.fork();
  const terminalRng = root.fork();

  const world = createWorld(worldRng, customers, terminals);
  const raw = generateLegitTransactions(legitRng, world, totalDays);
  applyCompromisedCards(cardRng, world, raw, totalDays, fraudRates);
  applyCompromisedTerminals(terminalRng, world, raw, totalDays, fraudRates);
  applyLargeAmounts(raw, fraudRates);

  const sorted = sortByTime(raw);
  const features = computeHistoryFeatures(sorted, world.terminals.length, totalDays);

  const transactions: SimulatedTransaction[] = [];
  sorted.forEach((tx, index) => {
    if (tx.day < warmupDays) return;
    transactions.push({
      id: transactions.length,
      time: tx.time - warmupDays * SECONDS_PER_DAY,
      day: tx.day - warmupDays,
      customerId: tx.customerId,
      terminalId: tx.terminalId,
      features: features[index]!,
      label: tx.scenario === 'legit' ? 0 : 1,
      scenario: tx.scenario,
    });
  });
  return { seed: options.seed, customers, terminals, days, warmupDays, fraudRates, transactions };
}
