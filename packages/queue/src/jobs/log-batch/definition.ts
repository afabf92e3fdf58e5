import { isFeatureObject, recordProblem, type PredictionRecord } from '@vigil/records';

/**
 * The one job type on the log queue. A job carries a whole batch of records
 * rather than one record: a BullMQ job costs several Redis commands and a
 * worker round trip, so one job per prediction caps the pipeline near the
 * queue's job rate, while a batch makes the per-job cost vanish and lets the
 * worker write it as one SQLite transaction. The payload stays plain JSON so
 * an operator can read it with redis-cli.
 *
 * Version 3 (what the API writes) is a table: the column names once, then
 * one array per record, with the feature values in `feature_names` order.
 * Feature names repeated in every record made up more than half of each
 * job; every byte is copied several times through Redis and parsed by the
 * worker, all on the two cores that also serve /predict. Its last two
 * columns say which API instance logged the record and its number there
 * (what /monitoring/completeness counts); the instance is an index into
 * `instances`, so a 40-character id is written once per batch, not per row.
 * Version 4 (what the API writes now) adds a last column, the request's W3C
 * trace id or null.
 * Version 3 (without it), version 2 (the table without instance and seq) and version 1 (an
 * array of record objects) are still read: jobs queued by an older API, and
 * dead-letter replays, which put records back exactly as they were kept.
 */
export const LOG_BATCH_JOB = { name: 'log-batch', version: 4 } as const;

/** The columns of a version 2 row, in order. */
export const LOG_BATCH_COLUMNS_V2 = ['prediction_id', 'timestamp', 'model_version', 'prediction', 'probability', 'latency_ms', 'features'] as const;

/** The columns of a version 3 row, in order. */
export const LOG_BATCH_COLUMNS_V3 = [...LOG_BATCH_COLUMNS_V2, 'instance', 'seq'] as const;

/** The columns of a version 4 row, in order; written into every payload for the human reader. */
export const LOG_BATCH_COLUMNS = [...LOG_BATCH_COLUMNS_V3, 'trace_id'] as const;

/** Default job options: retries for store hiccups, failed jobs kept for the dead-letter tools. */
export const LOG_BATCH_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 500 },
  // Completed batches are already in the stores; keep a few for operators to inspect.
  removeOnComplete: { count: 1000 },
  removeOnFail: false,
} as const;

type FeatureValue = PredictionRecord['features'][string];

/**
 * One record: the features are an array of values in `feature_names` order,
 * or, for a record whose features have other names or another order, the
 * features object itself (so nothing is lost or reordered), or null for a
 * record whose features are not an object at all (the worker rejects it).
 */
export type LogBatchRowV2 = readonly [string, string, string, 0 | 1, number, number, readonly FeatureValue[] | PredictionRecord['features'] | null];

/** A version 2 row, then the index of the record's instance in `instances` and its seq (null for a record without them). */
export type LogBatchRowV3 = readonly [...LogBatchRowV2, number | null, number | null];

/** A version 3 row, then the trace id (null without one). */
export type LogBatchRow = readonly [...LogBatchRowV3, string | null];

export interface LogBatchPayloadV1 {
  readonly v: 1;
  readonly records: readonly PredictionRecord[];
}

export interface LogBatchPayloadV2 {
  readonly v: 2;
  readonly columns: typeof LOG_BATCH_COLUMNS_V2;
  readonly feature_names: readonly string[];
  readonly rows: readonly LogBatchRowV2[];
}

export interface LogBatchPayloadV3 {
  readonly v: 3;
  readonly columns: typeof LOG_BATCH_COLUMNS_V3;
  readonly feature_names: readonly string[];
  readonly instances: readonly string[];
  readonly rows: readonly LogBatchRowV3[];
  readonly role?: 'shadow';
}

export interface LogBatchPayloadV4 {
  readonly v: 4;
  readonly columns: typeof LOG_BATCH_COLUMNS;
  readonly feature_names: readonly string[];
  /** The instance ids the rows' `instance` column points into (usually one: a batch comes from one logger). */
  readonly instances: readonly string[];
  readonly rows: readonly LogBatchRow[];
  /** `shadow`: every row is a challenger model's score (see PredictionRecord.role); absent for the champion's records. */
  readonly role?: 'shadow';
}

export type LogBatchPayload = LogBatchPayloadV1 | LogBatchPayloadV2 | LogBatchPayloadV3 | LogBatchPayloadV4;

/** The values of `features` when its keys are exactly `names`, in that order; otherwise undefined. */
function valuesInOrder(features: PredictionRecord['features'], names: readonly string[]): FeatureValue[] | undefined {
  const values: FeatureValue[] = new Array<FeatureValue>(names.length);
  let i = 0;
  for (const key in features) {
    const value = features[key];
    // undefined would come back as null from the array, where the object form leaves the key out.
    if (i >= names.length || key !== names[i] || value === undefined) return undefined;
    values[i] = value;
    i += 1;
  }
  return i === names.length ? values : undefined;
}

/**
 * The version 3 payload of a batch: the first record's feature names are the batch's.
 * `role` is the batch's (a logger writes one role), carried once instead of per row.
 */
export function encodeLogBatch(records: readonly PredictionRecord[], role?: 'shadow'): LogBatchPayloadV4 {
  const first: unknown = records[0]?.features;
  const names = isFeatureObject(first) ? Object.keys(first) : [];
  // Decoding assigns each name as a property; '__proto__' would set the prototype instead.
  const tabular = !names.includes('__proto__');
  const instances: string[] = [];
  const rows = records.map((r): LogBatchRow => {
    const features: unknown = r.features;
    const column = !isFeatureObject(features) ? null : ((tabular ? valuesInOrder(features, names) : undefined) ?? features);
    let instance: number | null = null;
    if (r.instance_id !== undefined) {
      instance = instances.indexOf(r.instance_id);
      if (instance < 0) instance = instances.push(r.instance_id) - 1;
    }
    return [r.prediction_id, r.timestamp, r.model_version, r.prediction, r.probability, r.latency_ms, column, instance, r.seq ?? null, r.trace_id ?? null];
  });
  return role === undefined
    ? { v: 4, columns: LOG_BATCH_COLUMNS, feature_names: names, instances, rows }
    : { v: 4, columns: LOG_BATCH_COLUMNS, feature_names: names, instances, rows, role };
}

/**
 * A version 2 or 3 row back in the shape of a record, unchecked: what the
 * worker validates and what a dead letter keeps. `instances` is undefined
 * for version 2. A row of the wrong length, or whose instance index points
 * nowhere, stays as it is (an array, which recordProblem refuses), so it is
 * never stored without the instance it claims.
 */
function rowToRecord(row: unknown, names: readonly string[], instances: readonly string[] | undefined, role: unknown, version: 2 | 3 | 4): unknown {
  const width = version === 2 ? LOG_BATCH_COLUMNS_V2.length : version === 3 ? LOG_BATCH_COLUMNS_V3.length : LOG_BATCH_COLUMNS.length;
  if (!Array.isArray(row) || row.length !== width) return row;
  const instance: unknown = instances === undefined ? null : row[7];
  const instanceId = instance === null ? undefined : Number.isInteger(instance) ? instances?.[instance as number] : undefined;
  if (instance !== null && instanceId === undefined) return row;
  const column: unknown = row[6];
  let features: unknown = column;
  if (Array.isArray(column) && column.length === names.length) {
    const zipped: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) zipped[names[i]!] = column[i];
    features = zipped;
  }
  const record: Record<string, unknown> = {
    prediction_id: row[0],
    timestamp: row[1],
    model_version: row[2],
    features,
    prediction: row[3],
    probability: row[4],
    latency_ms: row[5],
  };
  // null: a record without them, which a version 1 record expresses by leaving the keys out.
  if (instanceId !== undefined) record.instance_id = instanceId;
  if (instances !== undefined && row[8] !== null) record.seq = row[8];
  // Kept as sent: recordProblem refuses a role other than "shadow", or a trace id that is not one.
  if (role !== undefined) record.role = role;
  if (version === 4 && row[9] !== null) record.trace_id = row[9];
  return record;
}

function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((name) => typeof name === 'string' && name !== '__proto__');
}

/**
 * The records of a payload of any version, in record shape but not yet
 * checked; undefined when the payload itself is unreadable.
 */
export function logBatchRecords(data: unknown): unknown[] | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const payload = data as { v?: unknown; records?: unknown; rows?: unknown; feature_names?: unknown; instances?: unknown; role?: unknown };
  if (payload.v === 1 && Array.isArray(payload.records)) return payload.records as unknown[];
  if ((payload.v === 2 || payload.v === 3 || payload.v === 4) && Array.isArray(payload.rows) && isNameList(payload.feature_names)) {
    const names = payload.feature_names;
    const version = payload.v;
    let instances: readonly string[] | undefined;
    if (version !== 2) {
      if (!Array.isArray(payload.instances) || !payload.instances.every((id) => typeof id === 'string')) return undefined;
      instances = payload.instances as string[];
    }
    return (payload.rows as unknown[]).map((row) => rowToRecord(row, names, instances, version === 2 ? undefined : payload.role, version));
  }
  return undefined;
}

/** Why one record of a batch cannot be stored; the worker dead-letters it. */
export interface RecordProblem {
  /** Position in the batch; -1 when the payload as a whole is unreadable. */
  readonly index: number;
  readonly prediction_id: string | undefined;
  readonly problem: string;
  /** The record as it arrived (in record shape for a version 2 row), or the whole payload. */
  readonly received: unknown;
}

/**
 * Parses a job payload before the worker touches a store. Good records and
 * bad ones are separated so that one corrupt record never blocks its batch.
 */
export function parseLogBatch(data: unknown): { records: PredictionRecord[]; problems: RecordProblem[] } {
  const received = logBatchRecords(data);
  if (received === undefined) {
    const version = typeof data === 'object' && data !== null ? (data as { v?: unknown }).v : undefined;
    const problem =
      version === 1 || version === 2 || version === 3 || version === 4
        ? `version ${version} payload is malformed`
        : `unsupported payload version ${String(version)}`;
    return { records: [], problems: [{ index: -1, prediction_id: undefined, problem, received: data }] };
  }
  const records: PredictionRecord[] = [];
  const problems: RecordProblem[] = [];
  received.forEach((value, index) => {
    const problem = recordProblem(value);
    if (problem === undefined) records.push(value as PredictionRecord);
    else {
      const id = (value as { prediction_id?: unknown } | null)?.prediction_id;
      problems.push({ index, prediction_id: typeof id === 'string' ? id : undefined, problem, received: value });
    }
  });
  return { records, problems };
}
