import { isInstanceId, isSequenceNumber, type PredictionRecord } from '@vigil/records';
import { runsOf, type SeqRange } from '../seq-ranges';

/**
 * A batch of prediction records as the SQLite insert takes them: one array
 * per column, the features already JSON text. It is the form a batch crosses
 * into the insert thread in: numbers in typed arrays move as one block each,
 * where a structured clone of the record objects cost about 2 µs a record,
 * as much as a fifth of the insert itself. Records without a seq hold NaN.
 */
export interface PredictionColumns {
  readonly length: number;
  readonly prediction_id: readonly string[];
  readonly timestamp: readonly string[];
  readonly model_version: readonly string[];
  readonly features_json: readonly string[];
  readonly prediction: Float64Array;
  readonly probability: Float64Array;
  readonly latency_ms: Float64Array;
  readonly instance_id: readonly (string | null)[];
  readonly seq: Float64Array;
  readonly trace_id: readonly (string | null)[];
  /** 1 for a challenger's score (role `shadow`, stored in shadow_predictions), 0 for the champion's record. */
  readonly shadow: Uint8Array;
}

/** The columns of a batch, in its order. */
export function predictionColumns(records: readonly PredictionRecord[]): PredictionColumns {
  const n = records.length;
  const columns = {
    length: n,
    prediction_id: new Array<string>(n),
    timestamp: new Array<string>(n),
    model_version: new Array<string>(n),
    features_json: new Array<string>(n),
    prediction: new Float64Array(n),
    probability: new Float64Array(n),
    latency_ms: new Float64Array(n),
    instance_id: new Array<string | null>(n),
    seq: new Float64Array(n),
    trace_id: new Array<string | null>(n),
    shadow: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    columns.prediction_id[i] = r.prediction_id;
    columns.timestamp[i] = r.timestamp;
    columns.model_version[i] = r.model_version;
    columns.features_json[i] = JSON.stringify(r.features);
    columns.prediction[i] = r.prediction;
    columns.probability[i] = r.probability;
    columns.latency_ms[i] = r.latency_ms;
    columns.instance_id[i] = r.instance_id ?? null;
    columns.seq[i] = r.seq ?? Number.NaN;
    columns.trace_id[i] = r.trace_id ?? null;
    columns.shadow[i] = r.role === 'shadow' ? 1 : 0;
  }
  return columns;
}

/** The typed arrays' buffers, to transfer (not copy) the columns to the insert thread; the sender cannot use them afterwards. */
export function columnBuffers(columns: PredictionColumns): ArrayBuffer[] {
  return [columns.prediction, columns.probability, columns.latency_ms, columns.seq, columns.shadow].map((array) => array.buffer as ArrayBuffer);
}

/** What the rollups, the quality cells and the label joins read of a stored row. */
export type StoredRow = Pick<PredictionRecord, 'prediction_id' | 'timestamp' | 'model_version' | 'prediction' | 'probability' | 'latency_ms'>;

/** Row `i` of the columns, in the shape the rollups and joins take. */
export function storedRow(columns: PredictionColumns, i: number): StoredRow {
  return {
    prediction_id: columns.prediction_id[i]!,
    timestamp: columns.timestamp[i]!,
    model_version: columns.model_version[i]!,
    prediction: columns.prediction[i] === 1 ? 1 : 0,
    probability: columns.probability[i]!,
    latency_ms: columns.latency_ms[i]!,
  };
}

/**
 * The runs of sequence numbers per instance in the batches: what
 * completeness counts as stored. Only rows with a valid instance and seq
 * count, as recordSequence has it for records.
 */
export function sequenceRunsOf(batches: readonly PredictionColumns[]): Map<string, SeqRange[]> {
  const seqs = new Map<string, number[]>();
  // A batch comes from one logger: its instance id is checked once, not per row.
  let lastValid: string | undefined;
  for (const columns of batches) {
    for (let i = 0; i < columns.length; i++) {
      const instance = columns.instance_id[i];
      const seq = columns.seq[i]!;
      if (instance === null || instance === undefined || !isSequenceNumber(seq)) continue;
      if (instance !== lastValid) {
        if (!isInstanceId(instance)) continue;
        lastValid = instance;
      }
      let list = seqs.get(instance);
      if (list === undefined) seqs.set(instance, (list = []));
      list.push(seq);
    }
  }
  return new Map([...seqs].map(([instance, list]) => [instance, runsOf(list)]));
}
