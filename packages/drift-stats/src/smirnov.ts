import {
  add,
  addNumber,
  dd,
  divide,
  divideNumber,
  type DoubleDouble,
  floor,
  frexpDD,
  isZero,
  ldexpDD,
  multiply,
  multiplyNumber,
  subtract,
  subtractNumber,
} from './double-double';

/**
 * Survival function of the one-sided Kolmogorov–Smirnov statistic D+_n,
 * P(D+_n >= x): scipy.special.smirnov(n, x). A port of xsf's
 * cephes/kolmogorov.h (van Mulbregt's Birnbaum–Tingey summation in
 * double-double). The two-sided distribution uses it for large x, where
 * P(D_n >= x) = 2·P(D+_n >= x) exactly (x >= 0.5) or to double precision.
 *
 * Only the survival value is computed; the CDF/PDF bookkeeping of the
 * original is left out because nothing here needs it.
 */

const MINLOG = -7.451332191019412076235e2; // log of the smallest subnormal, as cephes' const.h
const EPSILON = Number.EPSILON;
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
/** Keeps both words of a double-double normal while powers are formed. */
const SM_MAX_EXPONENT = 960;

export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  const { alpha, nxFloor } = modNX(n, x);
  let n1mxfl = n - nxFloor - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxFloor;
  // When n·x is an integer the last term belongs to neither sum.
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) {
    // x <= 1/n: closed form.
    const t = pow2(1, x, n - 1);
    return 1 - x * t;
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxFloor >= n - 1) return pow2(1, -x, n);
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    // Too many terms to sum: p ≈ exp(-(6nx+1)²/18n).
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp);
  }

  // The upper sum alternates in sign, so it is only used when it has very few terms.
  const nUpperTerms = n - n1mxceil + 1;
  const useUpperSum = (nUpperTerms <= 1 && x < 0.5) || (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  let start = 0;
  let step = 1;
  let nTerms = n1mxfl + 1;
  const vmid = Math.floor(n / 2);
  let binomial: Binomial = { mantissa: dd(1), exponent: 0 };
  let term: DoubleDouble;
  if (useUpperSum) {
    start = n;
    step = -1;
    nTerms = n - n1mxceil + 1;
    term = pow4(1, x, 1, 0, n - 1);
  } else {
    term = divideNumber(pow4(1, -x, 1, 0, n), x);
  }
  let sum = add(dd(0), term);
  binomial = nextBinomial(binomial, n, 0);

  for (let j = 1; j < nTerms; j++) {
    const v = start + j * step;
    term = termAv(n, x, v, binomial);
    if (Number.isFinite(term.hi) && !isZero(term)) sum = add(sum, term);
    if (!isZero(term)) {
      // Stop once the remaining terms cannot change the sum.
      if (4 * (nTerms - j) * Math.abs(term.hi) < EPSILON * sum.hi && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    binomial = nextBinomial(binomial, n, j);
  }
  const prob = multiplyNumber(sum, x).hi;
  const sf = step < 0 ? 1 - prob : prob;
  return Math.min(Math.max(sf, 0), 1);
}

/** floor(n·x) and its remainder, computed exactly. */
function modNX(n: number, x: number): { alpha: number; nxFloor: number } {
  const nx = multiplyNumber(dd(x), n);
  const nxFloorDD = floor(nx);
  let alpha = subtract(nx, nxFloorDD).hi;
  let nxFloor = Math.trunc(nxFloorDD.hi);
  if (alpha === 1) {
    nxFloor += 1;
    alpha = 0;
  }
  return { alpha, nxFloor };
}

/** C(n, j) as a double-double mantissa and a binary exponent: it overflows a double long before n = 10^6. */
interface Binomial {
  readonly mantissa: DoubleDouble;
  readonly exponent: number;
}

/** C(n, j+1) from C(n, j). */
function nextBinomial(c: Binomial, n: number, j: number): Binomial {
  const ratio = divideNumber(dd(n - j), j + 1);
  const [mantissa, exponent] = frexpDD(multiply(c.mantissa, ratio));
  return { mantissa, exponent: c.exponent + exponent };
}

/** a^m for a double-double a, trading a little accuracy for speed as xsf does (pow on the high word, then a correction). */
function powDD(a: DoubleDouble, m: number): DoubleDouble {
  if (m <= 0) {
    if (m === 0) return dd(1);
    return divide(dd(1), powDD(a, -m));
  }
  if (isZero(a)) return dd(0);
  const ans = Math.pow(a.hi, m);
  const r = a.lo / a.hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) {
      // First two terms of the Taylor series of (1+r)^m.
      adj += m * r * (((m - 1) / 2) * r);
    } else {
      adj = Math.expm1(m * Math.log1p(r));
    }
  }
  return addNumber(dd(ans), ans * adj);
}

const pow2 = (a: number, b: number, m: number): number => powDD(addNumber(dd(a), b), m).hi;

/** ((a+b)/(c+d))^m. */
function pow4(a: number, b: number, c: number, d: number, m: number): DoubleDouble {
  if (m <= 0) {
    if (m === 0) return dd(1);
    return pow4(c, d, a, b, -m);
  }
  const numerator = addNumber(dd(a), b);
  const denominator = addNumber(dd(c), d);
  if (isZero(numerator)) return isZero(denominator) ? dd(Number.NaN, Number.NaN) : dd(0);
  if (isZero(denominator)) return numerator.hi < 0 ? dd(-Infinity, -Infinity) : dd(Infinity, Infinity);
  return powDD(divide(numerator, denominator), m);
}

/** Not a power of two despite xsf's name: x rounded as xsf rounds it, used only to cap an exponent. */
function nextPowerOf2(x: number): number {
  const q = x * 2 ** (1 - 53);
  let l = Math.abs(q + x);
  if (l === 0) {
    l = Math.abs(x);
  } else {
    const lInt = Math.trunc(l);
    if (lInt === l) l = lInt;
  }
  return l;
}

/** a^m as (mantissa, exponent), splitting the power so the intermediate never underflows. */
function pow2Scaled(a: DoubleDouble, m: number): [DoubleDouble, number] {
  if (m <= 0) {
    if (m === 0) return [dd(1), 0];
    const [inverse, e1] = pow2Scaled(a, -m);
    const [mantissa, e2] = frexpDD(divide(dd(1), inverse));
    return [mantissa, -e1 + e2];
  }
  const [y, yE] = frexpDD(a);
  if (m === 1) return [y, yE];
  let maxExpt = SM_MAX_EXPONENT;
  // Quick check before calling log: could y^m drop below 2^-960?
  if ((m * (y.hi - 1)) / y.hi < -SM_MAX_EXPONENT * Math.LN2) {
    const lg2y = Math.log(y.hi) / Math.LN2;
    if (m * lg2y <= -SM_MAX_EXPONENT) maxExpt = Math.trunc(nextPowerOf2(-SM_MAX_EXPONENT / lg2y + 1) / 2);
  }
  if (m <= maxExpt) {
    const [mantissa, e] = frexpDD(powDD(y, m));
    return [mantissa, e + m * yE];
  }
  const q = Math.trunc(m / maxExpt);
  const r = m % maxExpt;
  // y^m = (y^maxExpt)^q · y^r
  const [y2r, y2rE] = pow2Scaled(y, r);
  const [y2m, y2mE] = pow2Scaled(y, maxExpt);
  const [y2mq, y2mqE] = pow2Scaled(y2m, q);
  const [mantissa, e] = frexpDD(multiply(y2r, y2mq));
  return [mantissa, e + y2mqE + y2mE * q + y2rE + m * yE];
}

/** One Birnbaum–Tingey term: C(n,v) · (1 - x - v/n)^(n-v) · (x + v/n)^(v-1). */
function termAv(n: number, x: number, v: number, binomial: Binomial): DoubleDouble {
  const [t2, t2E] = pow2Scaled(subtractNumber(divideNumber(dd(n - v), n), x), n - v);
  const [t1, t1E] = pow2Scaled(addNumber(divideNumber(dd(v), n), x), v - 1);
  const product = multiply(multiply(t1, t2), binomial.mantissa);
  return ldexpDD(product, binomial.exponent + t1E + t2E);
}
