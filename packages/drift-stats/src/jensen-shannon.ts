import { DriftStatsError } from './errors';
import { compensatedSum } from './float-utils';
import { checkCounts, checkSameLength } from './validate';

export interface JensenShannonOptions {
  /**
   * Logarithm base. The natural log (scipy's default) bounds the distance by
   * √ln 2 ≈ 0.833; base 2 bounds it by 1.
   * @defaultValue Math.E
   */
  readonly base?: number;
}

/**
 * Jensen–Shannon distance (the square root of the divergence) between two
 * distributions over the same categories or bins, given as counts or
 * probabilities; each is normalised to sum to 1 first. As
 * scipy.spatial.distance.jensenshannon(p, q, base).
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>, options: JensenShannonOptions = {}): number {
  const base = options.base;
  if (base !== undefined && !(Number.isFinite(base) && base > 0 && base !== 1)) {
    throw new DriftStatsError('INVALID_OPTION', `base must be a positive number other than 1, got ${base}`, { option: 'base', value: base });
  }
  checkSameLength(p, q, 'p', 'q');
  const pTotal = checkCounts(p, 'p');
  const qTotal = checkCounts(q, 'q');

  const left: number[] = [];
  const right: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / pTotal;
    const qi = q[i]! / qTotal;
    const mi = (pi + qi) / 2;
    left.push(relativeEntropy(pi, mi));
    right.push(relativeEntropy(qi, mi));
  }
  let js = compensatedSum(left) + compensatedSum(right);
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2);
}

/** scipy.special.rel_entr for the case that arises here (y >= x/2 >= 0): 0·log(0/y) is 0. */
function relativeEntropy(x: number, y: number): number {
  return x > 0 ? x * Math.log(x / y) : 0;
}
