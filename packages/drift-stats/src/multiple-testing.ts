import { DriftStatsError } from './errors';

export interface MultipleTestResult {
  /** Per hypothesis, in input order: is it rejected at the family-wise (or false discovery) level? */
  readonly reject: readonly boolean[];
  /** Adjusted p-values, in input order, capped at 1; reject[i] is adjusted[i] <= alpha. */
  readonly adjusted: readonly number[];
}

/**
 * Bonferroni correction, as statsmodels multipletests(method='bonferroni'):
 * reject p <= alpha/m; adjusted p = min(1, m·p). Controls the family-wise
 * error rate under any dependence, at the cost of power when m is large.
 */
export function bonferroni(pvalues: ArrayLike<number>, alpha = 0.05): MultipleTestResult {
  const p = checkPvalues(pvalues, alpha);
  const m = p.length;
  return {
    reject: p.map((value) => value <= alpha / m),
    adjusted: p.map((value) => Math.min(value * m, 1)),
  };
}

/**
 * Benjamini–Hochberg step-up procedure, as statsmodels
 * multipletests(method='fdr_bh'): with p-values sorted ascending, reject the
 * first k where k is the largest rank with p_(k) <= alpha·k/m. Adjusted
 * p-values are the running minimum of m·p_(k)/k from the top, capped at 1.
 * Controls the false discovery rate for independent (or positively
 * dependent) tests: the usual choice when many features are checked at once.
 */
export function benjaminiHochberg(pvalues: ArrayLike<number>, alpha = 0.05): MultipleTestResult {
  const p = checkPvalues(pvalues, alpha);
  const m = p.length;
  const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]!);
  const reject = new Array<boolean>(m).fill(false);
  const adjusted = new Array<number>(m).fill(0);

  let lastRejected = -1;
  for (let rank = 0; rank < m; rank++) {
    if (p[order[rank]!]! <= ((rank + 1) / m) * alpha) lastRejected = rank;
  }
  for (let rank = 0; rank <= lastRejected; rank++) reject[order[rank]!] = true;

  let runningMin = Infinity;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank]!;
    runningMin = Math.min(runningMin, p[index]! / ((rank + 1) / m));
    adjusted[index] = Math.min(runningMin, 1);
  }
  return { reject, adjusted };
}

function checkPvalues(pvalues: ArrayLike<number>, alpha: number): number[] {
  if (!(alpha > 0 && alpha < 1)) {
    throw new DriftStatsError('INVALID_OPTION', `alpha must be in (0, 1), got ${alpha}`, { option: 'alpha', value: alpha });
  }
  const p = Array.from(pvalues);
  p.forEach((value, i) => {
    if (!(value >= 0 && value <= 1)) {
      throw new DriftStatsError('INVALID_VALUE', `pvalues[${i}] must be in [0, 1], got ${value}`, { argument: 'pvalues', index: i });
    }
  });
  return p;
}
