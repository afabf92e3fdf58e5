/**
 * The q-th quantile (0..1) of ascending values, interpolating linearly
 * between the closest ranks: numpy's default (`method='linear'`), so figures
 * match what users compute in a notebook.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = q * (n - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(lower + 1, n - 1);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (rank - lower);
}
