/** The range a numeric feature's spec accepts. */
export interface NumericRange {
  readonly min: number;
  readonly max: number;
}

/** What the sample held of a numeric column. */
export interface SeenValues extends NumericRange {
  readonly median: number;
}

/** The accepted range, and whether a long tail made it wider (for the printout). */
export interface WidenedRange extends NumericRange {
  readonly longTail: boolean;
}

/** `value` rounded up or down to two significant digits: 2480.1 up is 2500, -131 down is -140. */
function roundTwoDigits(value: number, direction: 'up' | 'down'): number {
  if (value === 0) return 0;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 1);
  // The tolerance keeps 4200 at 4200 when 4200 / 100 comes out as 42.000000000000004.
  const units = direction === 'up' ? Math.ceil(value / step - 1e-9) : Math.floor(value / step + 1e-9);
  return Number((units * step).toPrecision(12));
}

/** A tail more than this many times longer than the other side of the median is a long tail. */
const LONG_TAIL_RATIO = 3;
/** How far past the sample's extreme a long tail's bound goes, as a multiple of it. */
const LONG_TAIL_FACTOR = 10;

/**
 * The range a spec accepts for a numeric column the sample saw from
 * `seen.min` to `seen.max`, span = max − min:
 *
 * - low: 0 when the sample holds no negative value (amounts, counts and
 *   distances smaller than the sample's are as plausible), else min − span;
 * - high: max + span, the observed spread once more above the largest value;
 * - a long tail (max − median more than 3 × median − min: amounts, distances,
 *   counts that are mostly small) goes to 10 × max instead (10 × min below,
 *   for a long negative tail);
 * - both rounded outward to two significant digits, and to whole numbers for integers.
 *
 * Wider than a margin of 10% of the span on purpose: /predict refuses (422)
 * what falls outside, and the largest of a few hundred draws of a skewed
 * quantity is far below what real traffic will send (the test fixtures'
 * lognormal amounts: the 200-row sample's largest is the 98.6th percentile,
 * so a 10% margin refuses 0.9% of real requests, max + span 0.2%, 10 × max
 * 0.001%), so a tight range refuses legitimate requests. What the range is for still holds: a unit
 * error (cents for euros, ×100), a sign error or a sentinel such as -1 or
 * 999999 is refused. A constant column gets its value's size (at least 1) as span.
 */
export function widenRange(seen: SeenValues, integer: boolean): WidenedRange {
  const span = seen.max - seen.min || Math.max(Math.abs(seen.max), 1);
  const upper = seen.max - seen.median;
  const lower = seen.median - seen.min;
  const longUpper = seen.max > 0 && upper > LONG_TAIL_RATIO * lower;
  const longLower = seen.min < 0 && lower > LONG_TAIL_RATIO * upper;
  const low = seen.min >= 0 ? 0 : roundTwoDigits(longLower ? LONG_TAIL_FACTOR * seen.min : seen.min - span, 'down');
  const high = roundTwoDigits(longUpper ? LONG_TAIL_FACTOR * seen.max : seen.max + span, 'up');
  const longTail = longUpper || longLower;
  return integer ? { min: Math.floor(low), max: Math.ceil(high), longTail } : { min: low, max: high, longTail };
}

/** The median of `values` (sorted in place). */
export function medianOf(values: Float64Array): number {
  values.sort();
  const middle = values.length >> 1;
  return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
}
