import { compensatedSum } from './float-utils';
import { chiSquaredSf } from './gamma';
import { checkCounts, checkSameLength } from './validate';

export interface ChiSquareResult {
  /** Pearson's X² of the 2×k table. */
  readonly statistic: number;
  /** Degrees of freedom: categories with a non-zero total, minus one. */
  readonly dof: number;
  readonly pvalue: number;
}

/**
 * Chi-squared test of homogeneity for a categorical feature: are the
 * reference and current counts draws from one distribution over the same
 * categories? The 2×k contingency table of the two count vectors, tested as
 * scipy.stats.chi2_contingency(table, correction=False).
 *
 * Categories seen in neither window are dropped first: scipy would refuse
 * the table (a zero expected frequency), yet an unused category says nothing
 * about drift. With one category left the table is degenerate and, as in
 * scipy, the statistic is 0 and the p-value 1.
 */
export function chiSquare(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): ChiSquareResult {
  checkSameLength(referenceCounts, currentCounts, 'referenceCounts', 'currentCounts');
  checkCounts(referenceCounts, 'referenceCounts');
  checkCounts(currentCounts, 'currentCounts');

  const rows: [number[], number[]] = [[], []];
  for (let i = 0; i < referenceCounts.length; i++) {
    if (referenceCounts[i]! + currentCounts[i]! === 0) continue;
    rows[0].push(referenceCounts[i]!);
    rows[1].push(currentCounts[i]!);
  }
  const k = rows[0].length;
  const dof = k - 1;
  if (dof === 0) return { statistic: 0, dof, pvalue: 1 };

  // Margins as numpy sums them (exact for integer counts below 2^53).
  const rowTotals = [compensatedSum(rows[0]), compensatedSum(rows[1])];
  const columnTotals = rows[0].map((count, j) => count + rows[1][j]!);
  const total = compensatedSum(columnTotals);

  const terms: number[] = [];
  for (const [r, row] of rows.entries()) {
    for (let j = 0; j < k; j++) {
      const expected = (rowTotals[r]! * columnTotals[j]!) / total;
      terms.push((row[j]! - expected) ** 2 / expected);
    }
  }
  const statistic = compensatedSum(terms);
  return { statistic, dof, pvalue: chiSquaredSf(statistic, dof) };
}
