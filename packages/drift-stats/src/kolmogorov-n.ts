import { durbinMatrixCdf } from './durbin-matrix';
import { clipProbability } from './float-utils';
import { pelzGoodCdf } from './pelz-good';
import { pomeranzCdf } from './pomeranz';
import { smirnovSf } from './smirnov';

/** Bernoulli-number terms B_2j/(2j(2j-1)) of Stirling's series, j = 8 … 1 (scipy's _STIRLING_COEFFS). */
const STIRLING_COEFFS = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
  -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * P(D_n >= x) for the two-sided one-sample Kolmogorov–Smirnov statistic
 * with n observations: scipy.stats.kstwo.sf(x, n). scipy's ks_2samp uses it,
 * with n = round(n1·n2/(n1+n2)), for its 'asymp' p-value.
 *
 * Follows scipy.stats._ksstats._kolmogn (Simard & L'Ecuyer 2011): closed
 * forms at the extremes (Ruben–Gambino), twice the one-sided Smirnov tail
 * where the two tails cannot overlap or the overlap is negligible, Durbin's
 * matrix or Pomeranz's recursion where exactness matters and is cheap, and
 * Pelz–Good's expansion otherwise. Every branch and cut-off is scipy's.
 */
export function kolmogorovSf(n: number, x: number): number {
  // kstwo's support is [1/(2n), 1]; outside it rv_continuous answers directly.
  if (!Number.isInteger(n) || n < 1 || Number.isNaN(x)) return Number.NaN;
  if (x <= 0.5 / n) return 1;
  if (x >= 1) return 0;

  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: 1/2n <= x <= 1/n.
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clipProbability(1 - prob);
  }
  if (t >= n - 1) return clipProbability(2 * (1 - x) ** n); // Ruben–Gambino
  // Both tails cannot be exceeded at once, so the two-sided tail is exactly twice the one-sided.
  if (x >= 0.5) return clipProbability(2 * smirnovSf(n, x));

  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clipProbability(1 - durbinMatrixCdf(n, x));
    if (nxSquared <= 4) return clipProbability(1 - pomeranzCdf(n, x));
    return clipProbability(2 * smirnovSf(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clipProbability(2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinMatrixCdf(n, x) : pelzGoodCdf(n, x);
  return clipProbability(1 - cdf);
}

/** log(n!/n^n) by Stirling's series with n·log n taken out first, so nothing cancels. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING_COEFFS) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}
