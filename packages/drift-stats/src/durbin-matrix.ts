import { clipProbability, ldexp } from './float-utils';

/** Rescaling step that keeps matrix powers and factorials inside the double range. */
const E128 = 128;
const P128 = 2 ** 128;
const M128 = 2 ** -128;

/**
 * P(D_n <= d) for the two-sided one-sample Kolmogorov–Smirnov statistic by
 * Durbin's matrix method as Marsaglia, Tsang and Wang evaluate it: the
 * (k,k) entry of H^n · n!/n^n with H of size (2k-1)² for k = ceil(n·d).
 * A port of scipy.stats._ksstats._kolmogn_DMTW, which scipy uses only where
 * k is small (n·d^1.5 <= 1.4), so the O(k³ log n) cost stays low.
 */
export function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  // First column v and last row (v reversed); w[j] = 1/j! on and below the superdiagonal.
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let factorial = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * factorial;

  let matrix: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let row = i - 1; row < m; row++) matrix[row * m + i] = w[row - (i - 1)]!;
  }
  for (let row = 0; row < m; row++) matrix[row * m] = v[row]!;
  for (let col = 0; col < m; col++) matrix[(m - 1) * m + col] = v[m - 1 - col]!;

  let power: Float64Array = identity(m);
  let remaining = n;
  let exponent = 0;
  let matrixExponent = 0;
  while (remaining > 0) {
    if (remaining % 2 === 1) {
      power = multiply(power, matrix, m);
      exponent += matrixExponent;
    }
    remaining = Math.floor(remaining / 2);
    // scipy squares once more after the last bit; the result is never used, so skip it.
    if (remaining === 0) break;
    matrix = multiply(matrix, matrix, m);
    matrixExponent *= 2;
    if (Math.abs(matrix[(k - 1) * m + (k - 1)]!) > P128) {
      for (let i = 0; i < matrix.length; i++) matrix[i]! /= P128;
      matrixExponent += E128;
    }
  }

  let p = power[(k - 1) * m + (k - 1)]!;
  // Multiply by n!/n^n one factor at a time, rescaling before it underflows.
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < M128) {
      p *= P128;
      exponent -= E128;
    }
  }
  if (exponent !== 0) p = ldexp(p, exponent);
  return clipProbability(p);
}

function identity(m: number): Float64Array {
  const result = new Float64Array(m * m);
  for (let i = 0; i < m; i++) result[i * m + i] = 1;
  return result;
}

/** Row-major m×m product; i-k-j order so the inner loop walks both operands contiguously. */
function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const result = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const rowOffset = i * m;
    for (let k = 0; k < m; k++) {
      const aik = a[rowOffset + k]!;
      if (aik === 0) continue;
      const bOffset = k * m;
      for (let j = 0; j < m; j++) result[rowOffset + j]! += aik * b[bOffset + j]!;
    }
  }
  return result;
}
