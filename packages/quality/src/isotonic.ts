import { QualityError } from './errors';

/**
 * Isotonic regression of labels on probabilities (pool adjacent violators),
 * predicting by linear interpolation between the fitted points and clipping
 * outside them: the same fit and prediction as scikit-learn's
 * IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1), checked on the
 * test vectors. Equal probabilities are pooled first (their mean label).
 */
export class IsotonicCalibrator {
  private constructor(
    private readonly xs: Float64Array,
    private readonly ys: Float64Array,
  ) {}

  static fit(probabilities: ArrayLike<number>, labels: ArrayLike<number>): IsotonicCalibrator {
    const n = probabilities.length;
    if (n === 0 || labels.length !== n) {
      throw new QualityError(
        'INVALID_REFERENCE',
        `a calibration reference needs as many labels as probabilities, at least one (got ${n} and ${labels.length})`,
        {
          probabilities: n,
          labels: labels.length,
        },
      );
    }
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < n; i++) {
      const p = probabilities[i]!;
      const y = labels[i]!;
      if (!(p >= 0 && p <= 1)) throw new QualityError('INVALID_VALUE', `reference probability ${i} must be from 0 to 1, got ${p}`, { index: i, value: p });
      if (y !== 0 && y !== 1) throw new QualityError('INVALID_VALUE', `reference label ${i} must be 0 or 1, got ${y}`, { index: i, value: y });
    }
    order.sort((a, b) => probabilities[a]! - probabilities[b]!);
    // Unique x with the mean label (and weight) of its rows.
    const xs: number[] = [];
    const sums: number[] = [];
    const weights: number[] = [];
    for (const i of order) {
      const x = probabilities[i]!;
      if (xs.length > 0 && xs[xs.length - 1] === x) {
        sums[sums.length - 1]! += labels[i]!;
        weights[weights.length - 1]! += 1;
      } else {
        xs.push(x);
        sums.push(labels[i]!);
        weights.push(1);
      }
    }
    // Pool adjacent violators over blocks: each block keeps its weighted sum, weight and first point.
    const blockSum: number[] = [];
    const blockWeight: number[] = [];
    const blockStart: number[] = [];
    for (let k = 0; k < xs.length; k++) {
      blockSum.push(sums[k]!);
      blockWeight.push(weights[k]!);
      blockStart.push(k);
      while (blockSum.length > 1) {
        const last = blockSum.length - 1;
        if (blockSum[last - 1]! / blockWeight[last - 1]! <= blockSum[last]! / blockWeight[last]!) break;
        blockSum[last - 1]! += blockSum[last]!;
        blockWeight[last - 1]! += blockWeight[last]!;
        blockSum.pop();
        blockWeight.pop();
        blockStart.pop();
      }
    }
    const ys = new Float64Array(xs.length);
    for (let b = 0; b < blockStart.length; b++) {
      const end = b + 1 < blockStart.length ? blockStart[b + 1]! : xs.length;
      const value = blockSum[b]! / blockWeight[b]!;
      for (let k = blockStart[b]!; k < end; k++) ys[k] = value;
    }
    return new IsotonicCalibrator(Float64Array.from(xs), ys);
  }

  /** The calibrated probability of p. */
  calibrate(p: number): number {
    const { xs, ys } = this;
    if (p <= xs[0]!) return ys[0]!;
    const last = xs.length - 1;
    if (p >= xs[last]!) return ys[last]!;
    // The last point at or below p.
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid]! <= p) lo = mid;
      else hi = mid;
    }
    const x0 = xs[lo]!;
    const x1 = xs[hi]!;
    return ys[lo]! + ((ys[hi]! - ys[lo]!) * (p - x0)) / (x1 - x0);
  }
}
