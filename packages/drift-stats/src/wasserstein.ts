import { compensatedSum } from './float-utils';
import { sortedSample } from './validate';

/**
 * First Wasserstein (earth mover's) distance between two 1-D samples with
 * equal weights: ∫ |U(t) - V(t)| dt over their empirical CDFs, as
 * scipy.stats.wasserstein_distance(u, v). In the units of the data.
 */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  return distanceOfSorted(sortedSample(u, 'u'), sortedSample(v, 'v'));
}

/**
 * Evidently's "Wasserstein distance (normed)": the distance divided by the
 * reference's population standard deviation (ddof = 0), so one threshold
 * (Evidently's default is 0.1) fits features of any scale. A constant
 * reference would divide by zero; like Evidently the divisor is floored at
 * 0.001.
 */
export function normalizedWassersteinDistance(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const sortedReference = sortedSample(reference, 'reference');
  const distance = distanceOfSorted(sortedReference, sortedSample(current, 'current'));
  return distance / Math.max(populationStd(sortedReference), 0.001);
}

/** numpy.std(x) with ddof = 0: mean first, then the mean squared deviation. */
function populationStd(values: Float64Array): number {
  const mean = compensatedSum(values) / values.length;
  const squares = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) squares[i] = (values[i]! - mean) * (values[i]! - mean);
  return Math.sqrt(compensatedSum(squares) / values.length);
}

/** Walks the merged distinct values; between two of them both CDFs are constant. */
function distanceOfSorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  const areas: number[] = [];
  let i = 0;
  let j = 0;
  while (i < nu || j < nv) {
    const value = j >= nv || (i < nu && u[i]! <= v[j]!) ? u[i]! : v[j]!;
    while (i < nu && u[i] === value) i++;
    while (j < nv && v[j] === value) j++;
    if (i === nu && j === nv) break;
    const next = j >= nv || (i < nu && u[i]! <= v[j]!) ? u[i]! : v[j]!;
    areas.push(Math.abs(i / nu - j / nv) * (next - value));
  }
  return compensatedSum(areas);
}
