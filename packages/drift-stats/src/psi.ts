import { DriftStatsError } from './errors';
import { quantileOfSorted } from './quantile';
import { checkCounts, checkSameLength, sortedSample } from './validate';

export interface PsiOptions {
  /**
   * How many quantile bins to cut the reference into. Fewer come out when
   * quantiles coincide (many equal values).
   * @defaultValue 10
   */
  readonly bins?: number;
}

export interface PsiResult {
  /** Σ (p_cur − p_ref)·ln(p_cur/p_ref) over the bins or categories; 0 means identical. */
  readonly value: number;
  /** Per-bin share of the reference, empty bins already replaced by {@link EMPTY_BIN_SHARE}. */
  readonly referenceProportions: readonly number[];
  /** Per-bin share of the current window, smoothed the same way. */
  readonly currentProportions: readonly number[];
}

export interface NumericPsiResult extends PsiResult {
  /**
   * Interior cut points, ascending: bin i is [edges[i-1], edges[i]) with the
   * first bin open to -∞ and the last to +∞.
   */
  readonly edges: readonly number[];
}

/**
 * Share given to an empty bin so ln(p_cur/p_ref) stays finite. Evidently's
 * value; the shares are not renormalised afterwards, as in Evidently.
 */
export const EMPTY_BIN_SHARE = 0.0001;

/**
 * Population stability index of a numeric feature. The bins are cut at the
 * reference's quantiles (numpy.quantile, linear) at 0, 1/bins, …, 1; equal
 * cut points are merged and the outermost two are replaced by ∓∞, so every
 * current value, however far out, falls in some bin. A value on a cut point
 * belongs to the bin above it, as with numpy.histogram.
 *
 * With heavily tied data the top distinct value shares a bin with the one
 * below it (its quantile is the outer edge that becomes +∞); a feature with
 * at most two distinct reference values ends up in a single bin, PSI 0, and
 * is better treated as categorical with {@link psiFromCounts}.
 */
export function psi(referenceValues: ArrayLike<number>, currentValues: ArrayLike<number>, options: PsiOptions = {}): NumericPsiResult {
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new DriftStatsError('INVALID_OPTION', `bins must be a positive integer, got ${bins}`, { option: 'bins', value: bins });
  }
  const reference = sortedSample(referenceValues, 'referenceValues');
  const current = sortedSample(currentValues, 'currentValues');

  const cuts = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) {
    // numpy.linspace(0, 1, bins + 1): i·step, with the last point exactly 1.
    const q = i === bins ? 1 : i * (1 / bins);
    cuts[i] = quantileOfSorted(reference, q);
  }
  // numpy.unique: sorted, each value once.
  const unique = cuts.sort().filter((cut, i, all) => i === 0 || cut !== all[i - 1]);
  const edges = Array.from(unique.subarray(1, -1));

  const referenceShares = binShares(reference, edges);
  const currentShares = binShares(current, edges);
  return { ...stability(referenceShares, currentShares), edges };
}

/**
 * Population stability index of a categorical feature from its category
 * counts in the two windows (same category order in both).
 */
export function psiFromCounts(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): PsiResult {
  checkSameLength(referenceCounts, currentCounts, 'referenceCounts', 'currentCounts');
  const referenceTotal = checkCounts(referenceCounts, 'referenceCounts');
  const currentTotal = checkCounts(currentCounts, 'currentCounts');
  const referenceShares = Array.from(referenceCounts, (count) => count / referenceTotal);
  const currentShares = Array.from(currentCounts, (count) => count / currentTotal);
  return stability(referenceShares, currentShares);
}

/** Share of sorted values in each bin, counted with one merge pass over the edges. */
function binShares(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let bin = 0;
  for (const value of sorted) {
    while (bin < edges.length && value >= edges[bin]!) bin++;
    counts[bin]! += 1;
  }
  return counts.map((count) => count / sorted.length);
}

function stability(referenceShares: number[], currentShares: number[]): PsiResult {
  const referenceProportions = referenceShares.map((share) => (share === 0 ? EMPTY_BIN_SHARE : share));
  const currentProportions = currentShares.map((share) => (share === 0 ? EMPTY_BIN_SHARE : share));
  let value = 0;
  for (let i = 0; i < referenceProportions.length; i++) {
    const pRef = referenceProportions[i]!;
    const pCur = currentProportions[i]!;
    value += (pCur - pRef) * Math.log(pCur / pRef);
  }
  return { value, referenceProportions, currentProportions };
}
