import { clipProbability, ldexp } from './float-utils';

const E128 = 128;
const P128 = 2 ** 128;
const M128 = 2 ** -128;

/**
 * P(D_n <= x) for the two-sided one-sample Kolmogorov–Smirnov statistic by
 * Pomeranz's recursion (CACM Algorithm 487): each row is the previous one
 * convolved with truncated Poisson weights, and only a contiguous band of
 * each row is non-zero. A port of scipy.stats._ksstats._kolmogn_Pomeranz,
 * including numpy's silent truncation of out-of-range slices.
 */
export function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);

  // (g/n)^m/m!, (2g/n)^m/m!, ((1-2g)/n)^m/m!: Poisson probabilities without their normalising factor.
  const gPower = new Float64Array(npwrs);
  const twoGPower = new Float64Array(npwrs);
  const oneMinus2GPower = new Float64Array(npwrs);
  gPower[0] = 1;
  twoGPower[0] = 1;
  oneMinus2GPower[0] = 1;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinus2GOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gPower[m] = (gPower[m - 1]! * gOverN) / m;
    twoGPower[m] = (twoGPower[m - 1]! * twoGOverN) / m;
    oneMinus2GPower[m] = (oneMinus2GPower[m - 1]! * oneMinus2GOverN) / m;
  }

  let v0 = new Float64Array(npwrs);
  let v1 = new Float64Array(npwrs);
  v1[0] = 1;
  let v0Start = 0;
  let v1Start = 0;
  let exponent = 0;

  let [j1, j2] = bandOfRow(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0Start, v1Start] = [v1Start, v0Start];
    v1.fill(0);
    [j1, j2] = bandOfRow(i, n, ll, ceilf, roundf);
    const powers = i === 1 || i === 2 * n + 1 ? gPower : i % 2 === 1 ? twoGPower : oneMinus2GPower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const signal = pySlice(v0, k1 - v0Start, k1 - v0Start + ln2);
      const kernel = pySlice(powers, 0, ln2);
      const conv = convolve(signal, kernel);
      const convStart = j1 - k1;
      const convLength = j2 - j1 + 1;
      for (let c = 0; c < convLength; c++) v1[c] = conv[convStart + c]!;
      let max = -Infinity;
      for (let c = 0; c < v1.length; c++) if (v1[c]! > max) max = v1[c]!;
      // Scale up before the band underflows.
      if (max > 0 && max < M128) {
        for (let c = 0; c < v1.length; c++) v1[c]! *= P128;
        exponent -= E128;
      }
      v1Start = v0Start + j1 - k1;
    }
  }

  // Multiply by n!, scaling down as it grows.
  let answer = v1[n - v1Start]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > P128) {
      answer *= M128;
      exponent += E128;
    }
    answer *= m;
  }
  if (exponent !== 0) answer = ldexp(answer, exponent);
  return clipProbability(answer);
}

/** The non-zero band [j1, j2] of row i. */
function bandOfRow(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** array[start:end] with Python's clamping (the start is never negative here). */
function pySlice(array: Float64Array, start: number, end: number): Float64Array {
  const from = Math.min(Math.max(start, 0), array.length);
  return array.subarray(from, Math.max(Math.min(end, array.length), from));
}

/** numpy.convolve(a, b, 'full'). */
function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const result = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!;
    if (ai === 0) continue;
    for (let j = 0; j < b.length; j++) result[i + j]! += ai * b[j]!;
  }
  return result;
}
