import { expect } from 'chai';

interface Worst {
  absolute: number;
  relative: number;
  count: number;
  where: string;
}

/**
 * Compares our values with scipy's and remembers the largest absolute and
 * relative differences per quantity, so a test file can print them at the
 * end (they are the numbers worth quoting, not just pass/fail).
 */
export class Differences {
  private readonly worst = new Map<string, Worst>();

  /**
   * Asserts |actual - expected| <= relative·|expected| when |expected| is above
   * the tolerance's floor, and <= floor (absolutely) at or below it. Exact
   * equality always passes, so 0 vs 0 and NaN vs NaN count as agreement.
   */
  check(quantity: string, actual: number, expected: number, tolerance: Tolerance, where: string): void {
    const same = Object.is(actual, expected) || actual === expected;
    const absolute = same ? 0 : Math.abs(actual - expected);
    const relative = same ? 0 : expected === 0 ? Infinity : absolute / Math.abs(expected);
    const entry = this.worst.get(quantity) ?? { absolute: 0, relative: 0, count: 0, where: '' };
    entry.count++;
    if (absolute > entry.absolute) entry.absolute = absolute;
    if (relative > entry.relative) {
      entry.relative = relative;
      entry.where = where;
    }
    this.worst.set(quantity, entry);
    const allowed = Math.abs(expected) > tolerance.floor ? tolerance.relative * Math.abs(expected) : tolerance.floor;
    expect(absolute, `${quantity} (${where}): got ${actual}, scipy ${expected}`).to.be.at.most(allowed);
  }

  report(title: string): void {
    const rows = [...this.worst].map(([quantity, w]) => ({
      quantity,
      cases: w.count,
      'max |diff|': w.absolute.toExponential(2),
      'max rel diff': w.relative === Infinity ? 'inf (vs 0)' : w.relative.toExponential(2),
      'worst case': w.where,
    }));
    console.log(`\n  Largest differences from scipy/numpy: ${title}`);
    console.table(rows);
  }
}

export interface Tolerance {
  readonly relative: number;
  /** At or below this magnitude the comparison is absolute, to this amount. */
  readonly floor: number;
}

/** Statistics: 1e-12 relative, or 1e-12 absolute for values within 1e-12 of 0. */
export const STATISTIC: Tolerance = { relative: 1e-12, floor: 1e-12 };
/** p-values: 1e-9 relative wherever scipy's value is above 1e-300. */
export const PVALUE: Tolerance = { relative: 1e-9, floor: 1e-300 };
