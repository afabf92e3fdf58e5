/**
 * ROC AUC and average precision from per-bin positive and negative weights
 * (counts, or CBPE's expected counts), bins in increasing score order. Rows in
 * one bin are treated as tied scores, exactly as scikit-learn treats equal
 * scores; that is the whole of the binning error.
 */
export function binnedRocAuc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number | null {
  let negativesBelow = 0;
  let area = 0;
  let totalPositive = 0;
  for (let b = 0; b < positives.length; b++) {
    const pos = positives[b]!;
    const neg = negatives[b]!;
    area += pos * (negativesBelow + neg / 2);
    negativesBelow += neg;
    totalPositive += pos;
  }
  if (!(totalPositive > 0 && negativesBelow > 0)) return null;
  return area / (totalPositive * negativesBelow);
}

/** Σ (R_k − R_{k−1}) P_k over thresholds from the top bin down, as average_precision_score. */
export function binnedAveragePrecision(positives: ArrayLike<number>, negatives: ArrayLike<number>): number | null {
  let totalPositive = 0;
  for (let b = 0; b < positives.length; b++) totalPositive += positives[b]!;
  if (!(totalPositive > 0)) return null;
  let tp = 0;
  let fp = 0;
  let sum = 0;
  for (let b = positives.length - 1; b >= 0; b--) {
    const pos = positives[b]!;
    tp += pos;
    fp += negatives[b]!;
    if (pos > 0) sum += (pos / totalPositive) * (tp / (tp + fp));
  }
  return sum;
}
