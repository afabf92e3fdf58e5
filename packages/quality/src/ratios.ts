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
