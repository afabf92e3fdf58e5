/** a / b, or null when b is 0: an undefined metric is null in every answer, never NaN. */
export function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

export interface ConfusionMetrics {
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
}

/** Precision, recall and F1 from (expected) counts. */
export function confusionMetrics(tp: number, fp: number, fn: number): ConfusionMetrics {
  return { precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), f1: ratio(2 * tp, 2 * tp + fp + fn) };
}

/** The figures realized and estimated quality share: a confusion matrix at a threshold, its ratios and the ROC AUC. */
export interface ConfusionFigures {
  /** The threshold the counts are at: the model's (its stored predictions, null), or a custom one moved to the nearest bin edge. */
  readonly threshold: number | null;
  readonly rows: number;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  readonly roc_auc: number | null;
}
