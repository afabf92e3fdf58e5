import { frexp, ldexp } from './float-utils';

/**
 * Double-double arithmetic (hi + lo, about 106 significant bits), the subset
 * scipy's Smirnov distribution uses (xsf's dd_real.h, from the qd package of
 * Hida, Li and Bailey). The operations follow that code one for one so the
 * port rounds where it rounds. Products use Dekker's split instead of an FMA:
 * both give the exact error term of a double product.
 */
export interface DoubleDouble {
  readonly hi: number;
  readonly lo: number;
}

export const dd = (hi: number, lo = 0): DoubleDouble => ({ hi, lo });

const SPLITTER = 134217729; // 2^27 + 1
const SPLIT_THRESHOLD = 6.69692879491417e299; // 2^996: beyond it the split would overflow

// The error-free transformations (two-sum, quick-two-sum, Dekker's two-product)
// are written out inline below: returning pairs from helpers allocated an
// array per call, and the Smirnov sum makes millions of these calls.

/** The error of fl(a·b): a·b - fl(a·b), exactly. */
function productError(a: number, b: number, p: number): number {
  let aHi: number;
  let aLo: number;
  if (a > SPLIT_THRESHOLD || a < -SPLIT_THRESHOLD) {
    const scaled = a * 2 ** -28;
    const t = SPLITTER * scaled;
    const hi = t - (t - scaled);
    aHi = hi * 2 ** 28;
    aLo = (scaled - hi) * 2 ** 28;
  } else {
    const t = SPLITTER * a;
    aHi = t - (t - a);
    aLo = a - aHi;
  }
  let bHi: number;
  let bLo: number;
  if (b > SPLIT_THRESHOLD || b < -SPLIT_THRESHOLD) {
    const scaled = b * 2 ** -28;
    const t = SPLITTER * scaled;
    const hi = t - (t - scaled);
    bHi = hi * 2 ** 28;
    bLo = (scaled - hi) * 2 ** 28;
  } else {
    const t = SPLITTER * b;
    bHi = t - (t - b);
    bLo = b - bHi;
  }
  return aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
}

export function add(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  // two-sum of the high words and of the low words, then two renormalisations.
  let s1 = a.hi + b.hi;
  let bb = s1 - a.hi;
  let s2 = a.hi - (s1 - bb) + (b.hi - bb);
  const t1 = a.lo + b.lo;
  bb = t1 - a.lo;
  const t2 = a.lo - (t1 - bb) + (b.lo - bb);
  s2 += t1;
  let sum = s1 + s2;
  s2 = s2 - (sum - s1);
  s1 = sum;
  s2 += t2;
  sum = s1 + s2;
  return { hi: sum, lo: s2 - (sum - s1) };
}

export function addNumber(a: DoubleDouble, b: number): DoubleDouble {
  const s1 = a.hi + b;
  const bb = s1 - a.hi;
  const s2 = a.hi - (s1 - bb) + (b - bb) + a.lo;
  const sum = s1 + s2;
  return { hi: sum, lo: s2 - (sum - s1) };
}

export const negate = (a: DoubleDouble): DoubleDouble => ({ hi: -a.hi, lo: -a.lo });

export const subtract = (a: DoubleDouble, b: DoubleDouble): DoubleDouble => add(a, negate(b));

export const subtractNumber = (a: DoubleDouble, b: number): DoubleDouble => addNumber(a, -b);

export function multiply(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const p1 = a.hi * b.hi;
  const p2 = productError(a.hi, b.hi, p1) + (a.hi * b.lo + a.lo * b.hi);
  const sum = p1 + p2;
  return { hi: sum, lo: p2 - (sum - p1) };
}

export function multiplyNumber(a: DoubleDouble, b: number): DoubleDouble {
  const p1 = a.hi * b;
  const e1 = productError(a.hi, b, p1);
  const p2 = a.lo * b;
  const e2 = productError(a.lo, b, p2);
  const tail = e2 + p2 + e1;
  const sum = p1 + tail;
  return { hi: sum, lo: tail - (sum - p1) };
}

export function divide(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const q1 = a.hi / b.hi;
  let r = subtract(a, multiplyNumber(b, q1));
  const q2 = r.hi / b.hi;
  r = subtract(r, multiplyNumber(b, q2));
  const q3 = r.hi / b.hi;
  const sum = q1 + q2;
  return addNumber({ hi: sum, lo: q2 - (sum - q1) }, q3);
}

export const divideNumber = (a: DoubleDouble, b: number): DoubleDouble => divide(a, dd(b));

export const isZero = (a: DoubleDouble): boolean => a.hi === 0 && a.lo === 0;

export function floor(a: DoubleDouble): DoubleDouble {
  const hi = Math.floor(a.hi);
  if (hi !== a.hi) return { hi, lo: 0 };
  // The high word is already an integer: the low word decides.
  const lo = Math.floor(a.lo);
  const sum = hi + lo;
  return { hi: sum, lo: lo - (sum - hi) };
}

export const ldexpDD = (a: DoubleDouble, exponent: number): DoubleDouble => ({
  hi: ldexp(a.hi, exponent),
  lo: ldexp(a.lo, exponent),
});

/** Mantissa in [0.5, 1) (or exactly 0.5 with a low word of the opposite sign adjusted up) and exponent. */
export function frexpDD(a: DoubleDouble): [DoubleDouble, number] {
  let [mantissa, exponent] = frexp(a.hi);
  let low = ldexp(a.lo, -exponent);
  if (Math.abs(mantissa) === 0.5 && mantissa * low < 0) {
    mantissa *= 2;
    low *= 2;
    exponent -= 1;
  }
  return [{ hi: mantissa, lo: low }, exponent];
}
