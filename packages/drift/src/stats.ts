import {
  benjaminiHochberg,
  bonferroni,
  chiSquare as chiSquareTest,
  jensenShannonDistance,
  ks2Samp,
  normalizedWassersteinDistance,
  psi,
  psiFromCounts as psiOfCounts,
} from '@vigil/drift-stats';
import type { Correction } from './drift-config';

/**
 * The measures the detector uses, in the shape it needs. Exact KS p-values
 * cost O(n·m) for large samples; past this many rows the asymptotic
 * distribution is within rounding of them, so use it.
 */
const EXACT_KS_MAX_ROWS = 2000;

export function ks(reference: number[], current: number[]): { statistic: number; pvalue: number } {
  const method = Math.max(reference.length, current.length) > EXACT_KS_MAX_ROWS ? 'asymp' : 'auto';
  const { statistic, pvalue } = ks2Samp(reference, current, { method });
  return { statistic, pvalue };
}

export function chiSquare(reference: number[], current: number[]): { statistic: number; pvalue: number } {
  const { statistic, pvalue } = chiSquareTest(reference, current);
  return { statistic, pvalue };
}

export const wassersteinNormalised = (reference: number[], current: number[]): number => normalizedWassersteinDistance(reference, current);
export const psiNumeric = (reference: number[], current: number[], bins: number): number => psi(reference, current, { bins }).value;
export const psiFromCounts = (reference: number[], current: number[]): number => psiOfCounts(reference, current).value;
export const jensenShannon = (reference: number[], current: number[]): number => jensenShannonDistance(reference, current);

/**
 * Settles a family of p-value tests. Bonferroni honours per-test alphas
 * (test i drifts when p_i ≤ alpha_i / m); Benjamini–Hochberg controls the
 * false discovery rate at the family alpha. The threshold reported per test
 * is what its p-value was compared with.
 */
export function correctPValues(
  pvalues: number[],
  alphas: number[],
  familyAlpha: number,
  correction: Correction,
): { rejected: boolean[]; thresholds: number[] } {
  const m = pvalues.length;
  if (m === 0) return { rejected: [], thresholds: [] };
  if (correction === 'bonferroni') {
    bonferroni(pvalues, familyAlpha); // validates the p-values
    return { rejected: pvalues.map((p, i) => p <= (alphas[i] as number) / m), thresholds: alphas.map((a) => a / m) };
  }
  const { reject, adjusted } = benjaminiHochberg(pvalues, familyAlpha);
  // BH compares the adjusted p-value with alpha; report the raw p-value's effective cut-off alpha·rank/m as the threshold.
  const thresholds = pvalues.map((p, i) => (adjusted[i]! > 0 ? (p / adjusted[i]!) * familyAlpha : familyAlpha));
  return { rejected: [...reject], thresholds };
}
