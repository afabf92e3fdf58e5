import type { TrainedModel } from './train-model';

/**
 * The labeled reference CBPE calibrates on (artifacts/quality-reference.json):
 * every held-out row's probability and label. Held-out days, not training
 * days, because the model is over-confident on what it was fitted to.
 */
export interface QualityReference {
  readonly model_version: string;
  readonly source: 'held-out test days';
  readonly rows: number;
  readonly probability: readonly number[];
  readonly label: readonly (0 | 1)[];
}

export function buildQualityReference(model: TrainedModel): QualityReference {
  const { probabilities, labels } = model.test;
  return {
    model_version: model.spec.model_version,
    source: 'held-out test days',
    rows: probabilities.length,
    probability: Array.from(probabilities),
    label: Array.from(labels, (label) => (label === 1 ? 1 : 0)),
  };
}

/**
 * One line per field: 145k probabilities indented one per line would be
 * several megabytes for nothing a diff could show.
 */
export function formatQualityReference(reference: QualityReference): string {
  const lines = Object.entries(reference).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}
