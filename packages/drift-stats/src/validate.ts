import { DriftStatsError } from './errors';

/**
 * Input checks shared by the statistics. NaN would silently poison a sort
 * (every comparison with it is false), so samples are rejected up front
 * rather than giving scipy's `nan` result later.
 */

/** A copy of `values` as a sorted Float64Array, after checking every value is finite. */
export function sortedSample(values: ArrayLike<number>, name: string): Float64Array {
  if (values.length === 0) throw new DriftStatsError('EMPTY_INPUT', `${name} must not be empty`, { argument: name });
  const sorted = Float64Array.from(values);
  for (let i = 0; i < sorted.length; i++) {
    if (!Number.isFinite(sorted[i]!)) {
      throw new DriftStatsError('INVALID_VALUE', `${name}[${i}] is not a finite number`, { argument: name, index: i });
    }
  }
  // Typed-array sort compares numerically, and is several times faster than Array#sort with a comparator.
  return sorted.sort();
}

/** Checks a count (or weight) vector: finite, non-negative, not all zero. Returns its total. */
export function checkCounts(counts: ArrayLike<number>, name: string): number {
  if (counts.length === 0) throw new DriftStatsError('EMPTY_INPUT', `${name} must not be empty`, { argument: name });
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (!Number.isFinite(count) || count < 0) {
      throw new DriftStatsError('INVALID_VALUE', `${name}[${i}] must be a finite non-negative number`, { argument: name, index: i });
    }
    total += count;
  }
  if (total === 0) throw new DriftStatsError('EMPTY_INPUT', `${name} must not sum to zero`, { argument: name });
  return total;
}

export function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, nameA: string, nameB: string): void {
  if (a.length !== b.length) {
    throw new DriftStatsError('LENGTH_MISMATCH', `${nameA} and ${nameB} must have the same length (${a.length} vs ${b.length})`, {
      [nameA]: a.length,
      [nameB]: b.length,
    });
  }
}
