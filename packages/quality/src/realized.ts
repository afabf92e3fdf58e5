import { BIN_COUNT, binLower, snapThreshold } from './bins';
import type { QualityCell } from './cells';
import { binnedAveragePrecision, binnedRocAuc } from './ranking';
import { confusionMetrics, ratio, type ConfusionFigures } from './ratios';

export interface CalibrationBin {
  readonly bin_lower: number;
  readonly bin_upper: number;
  /** Labeled rows whose probability is in [bin_lower, bin_upper). */
  readonly count: number;
  readonly mean_probability: number | null;
  readonly observed_rate: number | null;
}

export interface RealizedQuality extends ConfusionFigures {
  readonly accuracy: number | null;
  readonly average_precision: number | null;
  readonly brier: number | null;
  readonly log_loss: number | null;
  readonly calibration: CalibrationBin[];
}

export interface RealizedOptions {
  /**
   * Unset: counts from each row's stored prediction (the model's threshold), exact.
   * Set: rows whose bin starts at or above the bin edge nearest to it count as predicted 1.
   */
  readonly threshold?: number;
}

/** Realized quality of the labeled cells (unlabeled ones are skipped). */
export function realizedQuality(cells: Iterable<QualityCell>, options: RealizedOptions = {}): RealizedQuality {
  const snapped = options.threshold === undefined ? undefined : snapThreshold(options.threshold);
  const positives = new Float64Array(BIN_COUNT);
  const negatives = new Float64Array(BIN_COUNT);
  const calibration = Array.from({ length: 10 }, () => ({ count: 0, sumP: 0, positives: 0 }));
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let squaredError = 0;
  let logLikelihood = 0;
  for (const cell of cells) {
    if (cell.label === 'unlabeled' || cell.count === 0) continue;
    const predicted = snapped === undefined ? cell.prediction : cell.bin >= snapped.firstBin ? 1 : 0;
    if (cell.label === 1) {
      positives[cell.bin]! += cell.count;
      if (predicted === 1) tp += cell.count;
      else fn += cell.count;
      squaredError += cell.sum_q2;
      logLikelihood += cell.sum_log_p;
    } else {
      negatives[cell.bin]! += cell.count;
      if (predicted === 1) fp += cell.count;
      else tn += cell.count;
      squaredError += cell.sum_p2;
      logLikelihood += cell.sum_log_q;
    }
    // Deciles are bin edges, so a bin lies in one decile: its lower edge says which.
    const decile = calibration[Math.min(9, Math.floor(binLower(cell.bin) * 10 + 1e-9))]!;
    decile.count += cell.count;
    decile.sumP += cell.sum_p;
    if (cell.label === 1) decile.positives += cell.count;
  }
  const rows = tp + fp + tn + fn;
  return {
    threshold: snapped?.threshold ?? null,
    rows,
    tp,
    fp,
    tn,
    fn,
    ...confusionMetrics(tp, fp, fn),
    accuracy: ratio(tp + tn, rows),
    roc_auc: binnedRocAuc(positives, negatives),
    average_precision: binnedAveragePrecision(positives, negatives),
    brier: ratio(squaredError, rows),
    log_loss: rows > 0 ? -logLikelihood / rows : null,
    calibration: calibration.map((decile, i) => ({
      bin_lower: i / 10,
      bin_upper: (i + 1) / 10,
      count: decile.count,
      mean_probability: ratio(decile.sumP, decile.count),
      observed_rate: ratio(decile.positives, decile.count),
    })),
  };
}
