import { CellAccumulator, type QualityCell } from '@vigil/quality';

/** Cells of rows scored by a model with threshold 0.5, labeled or (labels omitted) not. */
export function cellsFromRows(probabilities: readonly number[], labels?: readonly (0 | 1)[]): QualityCell[] {
  const cells = new CellAccumulator();
  probabilities.forEach((probability, i) =>
    cells.add({ probability, prediction: probability >= 0.5 ? 1 : 0, label: labels === undefined ? 'unlabeled' : labels[i]! }),
  );
  return cells.toArray();
}
