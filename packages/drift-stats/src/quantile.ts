/**
 * numpy.quantile(sorted, q) with the default 'linear' method, step for step:
 * virtual index (n-1)·q, and numpy's two-sided lerp (from the upper
 * neighbour when the weight is >= 0.5), so bin edges built from it are the
 * same doubles numpy produces.
 */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const virtualIndex = (n - 1) * q;
  if (virtualIndex >= n - 1) return sorted[n - 1]!;
  if (virtualIndex < 0) return sorted[0]!;
  const previous = Math.floor(virtualIndex);
  const a = sorted[previous]!;
  const b = sorted[previous + 1]!;
  const gamma = virtualIndex - previous;
  const difference = b - a;
  return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma;
}
