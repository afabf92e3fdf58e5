/**
 * Ranking metrics for a binary classifier, written out here so the model card
 * does not depend on a stats library. Both handle tied scores exactly.
 */

function checkInputs(labels: ArrayLike<number>, scores: ArrayLike<number>): { positives: number; negatives: number } {
  if (labels.length !== scores.length) throw new Error(`labels (${labels.length}) and scores (${scores.length}) differ in length`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) throw new Error('ROC AUC and average precision need both classes');
  return { positives, negatives };
}

/** Indices sorted by score, descending (stable, so ties keep input order). */
function byScoreDescending(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}

/**
 * Area under the ROC curve: the probability that a random fraud scores above
 * a random legitimate transaction, ties counting one half (Mann-Whitney U).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { positives, negatives } = checkInputs(labels, scores);
  const order = byScoreDescending(scores);
  let negativesAbove = 0; // negatives with a strictly higher score
  let pairs = 0; // positive-above-negative pairs, ties counted 0.5
  for (let start = 0; start < order.length;) {
    let end = start;
    let groupPositives = 0;
    let groupNegatives = 0;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) {
      if (labels[order[end]!] === 1) groupPositives++;
      else groupNegatives++;
      end++;
    }
    pairs += groupPositives * (negatives - negativesAbove - groupNegatives) + 0.5 * groupPositives * groupNegatives;
    negativesAbove += groupNegatives;
    start = end;
  }
  return pairs / (positives * negatives);
}

/**
 * Average precision: sum over score thresholds of (recall gained) x
 * (precision at that threshold), as scikit-learn defines it. Tied scores
 * form one threshold.
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { positives } = checkInputs(labels, scores);
  const order = byScoreDescending(scores);
  let truePositives = 0;
  let seen = 0;
  let sum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    let groupPositives = 0;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) {
      if (labels[order[end]!] === 1) groupPositives++;
      end++;
    }
    truePositives += groupPositives;
    seen = end;
    sum += (groupPositives / positives) * (truePositives / seen);
    start = end;
  }
  return sum;
}

export interface ThresholdMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly flagged_rate: number;
}

/** Precision and recall when flagging scores >= threshold. */
export function metricsAtThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): ThresholdMetrics {
  let truePositives = 0;
  let flagged = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const positive = labels[i] === 1;
    if (positive) positives++;
    if ((scores[i] as number) >= threshold) {
      flagged++;
      if (positive) truePositives++;
    }
  }
  return {
    precision: flagged === 0 ? 0 : truePositives / flagged,
    recall: positives === 0 ? 0 : truePositives / positives,
    flagged_rate: labels.length === 0 ? 0 : flagged / labels.length,
  };
}
