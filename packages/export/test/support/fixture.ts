import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { FIXTURE_EPOCH_MS, fixtureFeatures, fixtureId, predictionRecords } from '../../../../test/support/fixtures/prediction-records';

const at = (ms: number) => new Date(FIXTURE_EPOCH_MS + ms).toISOString();
const traceOf = (n: number) => n.toString(16).padStart(32, 'a');

function withoutAmount(features: Record<string, number | boolean | string>): Record<string, number | boolean | string> {
  delete features.amount;
  return features;
}

/** The features of the served model (artifacts/model.spec.json), in its order. */
export const FEATURE_NAMES: readonly string[] = Object.keys(fixtureFeatures(0));

/** Where the fixture's export window starts: record 5's timestamp, so records 0-4 are older. */
export const SINCE_ISO = at(50);
export const CHALLENGER = 'challenger@2.0.0';

/**
 * 30 records, 10 ms apart, that exercise what an export must keep:
 * every 5th is of another model version; odd ones carry a trace id, those
 * above 24 no instance or seq (older records); record 20 is stored late but
 * stamped between records 5 and 6 (the export orders by time, not arrival);
 * record 7 lacks `amount` and has a category full of CSV's special
 * characters, record 8 an empty category.
 */
export function fixtureRecords(): PredictionRecord[] {
  return predictionRecords(30, {
    each: (n) => ({
      ...(n % 5 === 0 ? { model_version: CHALLENGER } : {}),
      ...(n < 25 ? { instance_id: 'api-1', seq: n + 1 } : {}),
      ...(n % 2 === 1 ? { trace_id: traceOf(n) } : {}),
      ...(n === 20 ? { timestamp: at(55) } : {}),
      ...(n === 7 ? { features: withoutAmount({ ...fixtureFeatures(7), merchant_category: 'has "quotes", commas,\r\nand lines' }) } : {}),
      ...(n === 8 ? { features: { ...fixtureFeatures(8), merchant_category: '' } } : {}),
    }),
  });
}

/**
 * Labels in arrival order: record 6 labeled 1, then reversed to 0 (a later
 * labeled_at); record 10 labeled 1, then a 0 decided before it arriving
 * after it (history only: 1 stays); record 12 once; record 2 (outside the
 * window) and an id never predicted.
 */
export function fixtureLabels(): LabelRecord[] {
  const label = (n: number | string, value: 0 | 1, labeledMs: number, receivedMs: number): LabelRecord => ({
    prediction_id: typeof n === 'number' ? fixtureId(n) : n,
    label: value,
    labeled_at: at(labeledMs),
    received_at: at(receivedMs),
  });
  return [
    label(6, 1, 1_000, 2_000),
    label(10, 1, 3_000, 3_000),
    label(6, 0, 4_000, 4_000),
    label(10, 0, 2_000, 5_000),
    label(12, 0, 1_500, 5_500),
    label(2, 1, 1_000, 6_000),
    label('not-a-prediction', 1, 1_000, 6_000),
  ];
}

/** The columns of the fixture's export, written out by hand: the record's, trace_id, the label's, then the spec's features. */
export const FIXTURE_COLUMNS: readonly string[] = [
  'prediction_id',
  'timestamp',
  'model_version',
  'prediction',
  'probability',
  'latency_ms',
  'instance_id',
  'seq',
  'trace_id',
  'label',
  'labeled_at',
  ...FEATURE_NAMES,
];
