/**
 * Small floating-point helpers that C and numpy have and JavaScript lacks.
 * They exist so the ported algorithms can follow their originals step by step.
 */

// A double and its two 32-bit halves, for reading the exponent field directly.
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // index of the high word (endianness)
const TWO_54 = 2 ** 54;

/** 2^e for every exponent a double can scale by exactly, -1074 … 1023 (index e + 1074). */
const POWERS_OF_TWO = (() => {
  const table = new Float64Array(1023 + 1074 + 1);
  for (let e = -1074; e <= 1023; e++) table[e + 1074] = 2 ** e;
  return table;
})();

/** C's frexp: x = mantissa · 2^exponent with 0.5 <= |mantissa| < 1 (0, ±Infinity and NaN pass through). */
export function frexp(x: number): [mantissa: number, exponent: number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let bias = 0;
  bits[0] = x;
  if ((words[HIGH]! & 0x7ff00000) === 0) {
    // Subnormal: scale into the normal range so the exponent field is meaningful.
    bits[0] = x * TWO_54;
    bias = -54;
  }
  const high = words[HIGH]!;
  const exponent = ((high >>> 20) & 0x7ff) - 1022;
  // Replace the exponent field with 1022 (2^-1), keeping sign and mantissa bits.
  words[HIGH] = (high & 0x800fffff) | (1022 << 20);
  return [bits[0]!, exponent + bias];
}

/** C's ldexp: x · 2^exponent, splitting the scale so 2^exponent itself never overflows. */
export function ldexp(x: number, exponent: number): number {
  if (exponent >= -1022 && exponent <= 1023) return x * POWERS_OF_TWO[exponent + 1074]!;
  let result = x;
  let e = exponent;
  while (e > 1023) {
    result *= 2 ** 1023;
    e -= 1023;
  }
  while (e < -1022) {
    // Apply the part beyond 2^-1022 first, so only the last multiply can round into a subnormal.
    const rest = Math.max(e + 1022, -1022);
    result *= POWERS_OF_TWO[rest + 1074]!;
    e -= rest;
  }
  return result * POWERS_OF_TWO[e + 1074]!;
}

/** numpy's round / rint: to nearest, ties to even. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** np.clip(p, 0, 1), keeping NaN as NaN. */
export function clipProbability(p: number): number {
  if (p < 0) return 0;
  if (p > 1) return 1;
  return p;
}

/**
 * Neumaier's compensated sum. numpy sums pairwise (error ~ log n · ε);
 * compensating keeps ours within an ulp or two of the exact sum, so the
 * two agree far inside the 1e-12 we test to, whatever the length.
 */
export function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const t = sum + value;
    if (Math.abs(sum) >= Math.abs(value)) compensation += sum - t + value;
    else compensation += value - t + sum;
    sum = t;
  }
  return sum + compensation;
}

/** Euclid on non-negative integers. */
export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}
