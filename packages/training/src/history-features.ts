import type { TransactionFeatures } from './feature-spec';
import { SECONDS_PER_DAY, type RawTransaction } from './raw-transactions';

/** Fraud labels become known this many days after the transaction (handbook's delay period). */
export const LABEL_DELAY_DAYS = 7;
/** Width of the terminal-risk window, which ends LABEL_DELAY_DAYS before the transaction. */
export const TERMINAL_WINDOW_DAYS = 28;

/**
 * Orders transactions by time; ties (bursts in the same second) by customer
 * and then their previous order, so "before" is always well defined.
 */
export function sortByTime(transactions: readonly RawTransaction[]): RawTransaction[] {
  return transactions
    .map((tx, index) => ({ tx, index }))
    .sort((a, b) => a.tx.time - b.tx.time || a.tx.customerId - b.tx.customerId || a.index - b.index)
    .map(({ tx }) => tx);
}

/**
 * Features of each transaction from what a bank knows at that moment: the
 * customer's earlier transactions (never this one or later ones) and fraud
 * labels at least LABEL_DELAY_DAYS old. `sorted` must be in sortByTime order.
 */
export function computeHistoryFeatures(sorted: readonly RawTransaction[], terminalCount: number, totalDays: number): TransactionFeatures[] {
  const features: TransactionFeatures[] = new Array(sorted.length);

  // Customer windows: each customer's earlier transactions in time order, with
  // a moving start index for the 24h and 7d windows and a running 7d sum.
  // Sums are kept in integer cents so they stay exact however long the run.
  const history = new Map<number, { times: number[]; cents: number[]; start24h: number; start7d: number; cents7d: number }>();

  // Terminal risk: per-terminal prefix sums of daily transaction and fraud counts.
  const txPrefix = new Int32Array(terminalCount * (totalDays + 1));
  const fraudPrefix = new Int32Array(terminalCount * (totalDays + 1));
  for (const tx of sorted) {
    txPrefix[tx.terminalId * (totalDays + 1) + tx.day + 1]! += 1;
    if (tx.scenario !== 'legit') fraudPrefix[tx.terminalId * (totalDays + 1) + tx.day + 1]! += 1;
  }
  for (let t = 0; t < terminalCount; t++) {
    const base = t * (totalDays + 1);
    for (let d = 1; d <= totalDays; d++) {
      txPrefix[base + d]! += txPrefix[base + d - 1]!;
      fraudPrefix[base + d]! += fraudPrefix[base + d - 1]!;
    }
  }

  sorted.forEach((tx, i) => {
    let h = history.get(tx.customerId);
    if (!h) history.set(tx.customerId, (h = { times: [], cents: [], start24h: 0, start7d: 0, cents7d: 0 }));
    while (h.start24h < h.times.length && h.times[h.start24h]! <= tx.time - SECONDS_PER_DAY) h.start24h++;
    while (h.start7d < h.times.length && h.times[h.start7d]! <= tx.time - 7 * SECONDS_PER_DAY) {
      h.cents7d -= h.cents[h.start7d]!;
      h.start7d++;
    }
    const count7d = h.times.length - h.start7d;
    const ratio = count7d === 0 ? 1 : tx.amount / (h.cents7d / 100 / count7d);

    // Days [day - 35, day - 8]: 28 days of labels that are already known.
    const windowEnd = Math.max(0, tx.day - LABEL_DELAY_DAYS);
    const windowStart = Math.max(0, windowEnd - TERMINAL_WINDOW_DAYS);
    const base = tx.terminalId * (totalDays + 1);
    const txCount = txPrefix[base + windowEnd]! - txPrefix[base + windowStart]!;
    const fraudCount = fraudPrefix[base + windowEnd]! - fraudPrefix[base + windowStart]!;

    // Simulation day 0 (the first warm-up day) is a Monday.
    const dayOfWeek = tx.day % 7;
    features[i] = {
      amount: tx.amount,
      velocity: h.times.length - h.start24h,
      hour_of_day: Math.floor((tx.time - tx.day * SECONDS_PER_DAY) / 3600),
      is_weekend: dayOfWeek >= 5,
      merchant_category: tx.category,
      distance_from_home_km: round(tx.distanceKm, 2),
      card_present: tx.cardPresent,
      amount_to_avg_ratio_7d: Math.min(1_000_000, round(ratio, 4)),
      customer_tx_count_7d: count7d,
      terminal_risk_28d: txCount === 0 ? 0 : round(fraudCount / txCount, 4),
    };

    h.times.push(tx.time);
    const cents = Math.round(tx.amount * 100);
    h.cents.push(cents);
    h.cents7d += cents;
  });
  return features;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
