import { dirname, join } from 'node:path';
import type { InferredFeature, InitModelResult } from '@vigil/model';

function accepts(feature: InferredFeature): string {
  const spec = feature.spec;
  if (spec.type === 'boolean') return 'true, false';
  if (spec.type === 'categorical') {
    const shown = spec.categories.slice(0, 6).join(', ');
    return spec.categories.length > 6 ? `${shown}, … (${spec.categories.length})` : shown;
  }
  return `${spec.min} to ${spec.max}`;
}

function seen(feature: InferredFeature): string {
  const summary = feature.summary;
  if (summary.kind === 'numeric') return `${summary.seen.min} to ${summary.seen.max}, median ${summary.seen.median}${summary.longTail ? ' (long tail)' : ''}`;
  if (summary.kind === 'boolean') return `${summary.spelling}, ${Math.round(summary.trueShare * 100)}% true`;
  return `${summary.distinct} distinct${summary.order === 'given' ? ', order from --categories' : ', sorted'}`;
}

/** The table of inferred features: name, type, what /predict accepts, what the sample held. */
export function featureTable(features: readonly InferredFeature[]): string[] {
  const rows = [['feature', 'type', 'accepts', 'in the sample'], ...features.map((f) => [f.spec.name, f.spec.type, accepts(f), seen(f)])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => '  ' + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Everything `model init` prints after success, ending with the command that serves the model. */
export function initReport(result: InitModelResult, modelPath: string, moreNotes: readonly string[] = []): string[] {
  const { spec, scores } = result;
  return [
    `read ${result.sampleRows} sample rows; inferred ${result.features.length} features:`,
    ...featureTable(result.features),
    `input:  ${result.layout}`,
    `output: ${result.output}`,
    `model_version ${spec.model_version}, threshold ${spec.threshold}`,
    `scores of the sample through the spec: ${scores.min.toPrecision(3)} to ${scores.max.toPrecision(3)}, mean ${scores.mean.toPrecision(3)}; ` +
      `${percent(scores.positiveShare)} at or above the threshold`,
    ...result.notes.map((note) => `note: ${note}`),
    ...moreNotes,
    `wrote ${result.written.spec}`,
    `wrote ${result.written.reference} (${result.referenceRows} rows and their probabilities: what drift compares traffic with)`,
    ...(result.written.qualityReference
      ? [`wrote ${result.written.qualityReference} (${result.sampleRows} labeled probabilities: what CBPE calibrates on)`]
      : []),
    `Review the ranges in ${result.written.spec}: /predict refuses (422) any value outside them. init sets them from 0 (min - span when the sample ` +
      'has negatives) to max + span (span = max - min), or to 10 x max for a long tail, rounded outward to 2 significant digits: ' +
      'widen them where real traffic goes further, narrow them where a value is impossible.',
    `Monitoring data goes to SQLITE_PATH (default artifacts/monitoring.db): if it holds another model's predictions, give this one a store ` +
      `of its own, e.g. SQLITE_PATH=${join(dirname(modelPath), 'monitoring.db')} SPOOL_DIR=${join(dirname(modelPath), 'spool')}`,
    'Serve it (REFERENCE_PATH, DRIFT_CONFIG_PATH and QUALITY_REFERENCE_PATH default to the files beside the model):',
    `  MODEL_PATH=${modelPath} npm start`,
  ];
}
