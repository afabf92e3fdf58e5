import { binOf } from './bins';
import { QualityError } from './errors';

/** A label state: no label yet, or the current label. */
export type LabelState = 'unlabeled' | 0 | 1;

/**
 * The sums a cell holds: enough for exact counts (from the stored
 * prediction, not the bin), exact Brier score and log loss, and AUC /
 * average precision / calibration from the bins. Sums of squares are kept
 * for both labels because n - 2Σp + Σp² cancels badly for confident
 * positives: Σ(1-p)² is summed directly.
 */
export interface CellSums {
  count: number;
  /** Σ p */
  sum_p: number;
  /** Σ p² (the squared error of a row labeled 0) */
  sum_p2: number;
  /** Σ (1 - p)² (the squared error of a row labeled 1) */
  sum_q2: number;
  /** Σ log(clip(p)), clip as scikit-learn's log_loss */
  sum_log_p: number;
  /** Σ log(1 - clip(p)) */
  sum_log_q: number;
}

/** The sums of one (bin, stored prediction, label state). */
export interface QualityCell extends CellSums {
  readonly bin: number;
  /** The class the model predicted for these rows (its stored `prediction`). */
  readonly prediction: 0 | 1;
  readonly label: LabelState;
}

/** scikit-learn 1.2's log_loss default: probabilities are clipped to [eps, 1 - eps]. */
export const LOG_LOSS_EPS = 1e-15;

/** One row's contribution, signed (+1 adds, -1 takes away: a label moves a row between cells). */
export type RowContribution = Readonly<CellSums> & { readonly bin: number };

export function contributionOf(probability: number, sign: 1 | -1 = 1): RowContribution {
  const bin = binOf(probability);
  const clipped = Math.min(Math.max(probability, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
  const q = 1 - probability;
  return {
    bin,
    count: sign,
    sum_p: sign * probability,
    sum_p2: sign * probability * probability,
    sum_q2: sign * q * q,
    sum_log_p: sign * Math.log(clipped),
    // 1 - clipped, then the log: the order scikit-learn computes it in.
    sum_log_q: sign * Math.log(1 - clipped),
  };
}

function checkLabel(label: unknown, where: string): asserts label is 0 | 1 {
  if (label !== 0 && label !== 1) throw new QualityError('INVALID_VALUE', `${where} must be 0 or 1, got ${String(label)}`, { value: label });
}

/** Builds cells from rows in memory (tests, reports, the reference); the stores keep the same cells in SQL. */
export class CellAccumulator {
  private readonly cells = new Map<string, QualityCell>();

  add(row: { probability: number; prediction: 0 | 1; label: LabelState }): void {
    checkLabel(row.prediction, 'prediction');
    if (row.label !== 'unlabeled') checkLabel(row.label, 'label');
    const c = contributionOf(row.probability);
    const key = `${c.bin}:${row.prediction}:${row.label}`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = { bin: c.bin, prediction: row.prediction, label: row.label, count: 0, sum_p: 0, sum_p2: 0, sum_q2: 0, sum_log_p: 0, sum_log_q: 0 };
      this.cells.set(key, cell);
    }
    cell.count += c.count;
    cell.sum_p += c.sum_p;
    cell.sum_p2 += c.sum_p2;
    cell.sum_q2 += c.sum_q2;
    cell.sum_log_p += c.sum_log_p;
    cell.sum_log_q += c.sum_log_q;
  }

  toArray(): QualityCell[] {
    return [...this.cells.values()];
  }
}
