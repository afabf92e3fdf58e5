import { BIN_COUNT, snapThreshold } from './bins';
import type { QualityCell } from './cells';
import type { IsotonicCalibrator } from './isotonic';
import { binnedRocAuc } from './ranking';
import { confusionMetrics, type ConfusionFigures } from './ratios';

export interface SamplingErrors {
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  readonly roc_auc: number | null;
}

/** Expected figures over the unlabeled rows, or the labeled ones (EstimateOptions.rows); `rows` counts them. */
export interface EstimatedQuality extends ConfusionFigures {
  /** Standard deviation of the realized figure around the estimate from the luck of the labels alone (see estimateQuality). */
  readonly sampling_error: SamplingErrors;
}

export interface EstimateOptions {
  /** As RealizedOptions.threshold: unset, each row's stored prediction; set, the bin edge nearest to it. */
  readonly threshold?: number;
  /**
   * The rows estimated: the unlabeled ones, or the labeled ones as if their
   * labels were not there (each cell as it is, for the realized-vs-estimated gap).
   * @defaultValue 'unlabeled'
   */
  readonly rows?: 'unlabeled' | 'labeled';
}

/**
 * NannyML's confidence-based performance estimation over the unlabeled cells:
 * with c the calibrated probability, E[tp] = Σ c over predicted 1, E[fp] =
 * Σ (1 − c) over predicted 1, E[fn] = Σ c and E[tn] = Σ (1 − c) over
 * predicted 0; precision, recall and F1 from those; ROC AUC as the area of
 * the expected ROC curve (each row a positive with weight c and a negative
 * with weight 1 − c, thresholds at the bins).
 *
 * A cell's rows are calibrated at their mean probability: isotonic
 * calibration is piecewise linear and the bins are narrow, so this is the
 * mean of the rows' calibrated probabilities up to where a cell straddles a
 * fitted point.
 *
 * Sampling error: if labels are independent Bernoulli(c), the realized
 * figure scatters around the estimate even when calibration is perfect. With
 * A = true positives among predicted 1 (variance Σ c(1−c) there), B = among
 * predicted 0 (likewise) and n₁ rows predicted 1: precision A/n₁ has variance
 * var A / n₁²; recall A/(A+B) and F1 2A/(n₁+A+B) by the delta method; ROC
 * AUC by the delta method too, through each bin's derivative of
 * W / (P·N) with respect to one row's label (W the pairs ranked right, P and
 * N the positives and negatives). Hanley & McNeil's formula was 20-40% high
 * on the vectors: it assumes a score distribution, the delta method uses the
 * one at hand. The test vectors check all four against a Monte Carlo over
 * 2,000 label draws.
 */
export function estimateQuality(cells: Iterable<QualityCell>, calibrator: IsotonicCalibrator, options: EstimateOptions = {}): EstimatedQuality {
  const snapped = options.threshold === undefined ? undefined : snapThreshold(options.threshold);
  const labeled = options.rows === 'labeled';
  const positives = new Float64Array(BIN_COUNT);
  const negatives = new Float64Array(BIN_COUNT);
  const variances = new Float64Array(BIN_COUNT);
  let rows = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let varA = 0;
  let varB = 0;
  for (const cell of cells) {
    if ((cell.label !== 'unlabeled') !== labeled || cell.count <= 0) continue;
    const c = calibrator.calibrate(Math.min(1, Math.max(0, cell.sum_p / cell.count)));
    const expectedPositive = cell.count * c;
    const expectedNegative = cell.count - expectedPositive;
    const variance = cell.count * c * (1 - c);
    const predicted = snapped === undefined ? cell.prediction : cell.bin >= snapped.firstBin ? 1 : 0;
    rows += cell.count;
    positives[cell.bin]! += expectedPositive;
    negatives[cell.bin]! += expectedNegative;
    variances[cell.bin]! += variance;
    if (predicted === 1) {
      tp += expectedPositive;
      fp += expectedNegative;
      varA += variance;
    } else {
      fn += expectedPositive;
      tn += expectedNegative;
      varB += variance;
    }
  }
  const rocAuc = binnedRocAuc(positives, negatives);
  const rocAucError = rocAuc === null ? null : rocAucSamplingError(positives, negatives, variances, rocAuc);
  return {
    threshold: snapped?.threshold ?? null,
    rows,
    tp,
    fp,
    tn,
    fn,
    ...confusionMetrics(tp, fp, fn),
    roc_auc: rocAuc,
    sampling_error: { ...samplingErrors(tp, fp, fn, varA, varB), roc_auc: rocAucError },
  };
}

function samplingErrors(tp: number, fp: number, fn: number, varA: number, varB: number): Omit<SamplingErrors, 'roc_auc'> {
  const predictedPositive = tp + fp;
  const positives = tp + fn;
  const f1Denominator = predictedPositive + positives;
  return {
    precision: predictedPositive > 0 ? Math.sqrt(varA) / predictedPositive : null,
    recall: positives > 0 ? Math.sqrt(fn * fn * varA + tp * tp * varB) / (positives * positives) : null,
    f1: f1Denominator > 0 ? (2 * Math.sqrt((predictedPositive + fn) ** 2 * varA + tp * tp * varB)) / (f1Denominator * f1Denominator) : null,
  };
}

/**
 * AUC = W / (P·N). Turning one row of bin b from negative to positive changes
 * W by (negatives below b + half of b's) − (positives above b + half of b's)
 * and P·N by N − P; Σ_b var_b · (∂AUC/∂y_b)² is the variance to first order.
 */
function rocAucSamplingError(positives: Float64Array, negatives: Float64Array, variances: Float64Array, auc: number): number {
  let totalPositive = 0;
  let totalNegative = 0;
  for (let b = 0; b < positives.length; b++) {
    totalPositive += positives[b]!;
    totalNegative += negatives[b]!;
  }
  const pairs = totalPositive * totalNegative;
  let negativesBelow = 0;
  let positivesAbove = totalPositive;
  let variance = 0;
  for (let b = 0; b < positives.length; b++) {
    positivesAbove -= positives[b]!;
    if (variances[b]! > 0) {
      const dW = negativesBelow + negatives[b]! / 2 - (positivesAbove + positives[b]! / 2);
      const derivative = (dW - auc * (totalNegative - totalPositive)) / pairs;
      variance += variances[b]! * derivative * derivative;
    }
    negativesBelow += negatives[b]!;
  }
  return Math.sqrt(variance);
}
