import type { PredictionRecord } from './prediction-record';

/**
 * The one job type on the log queue. A job carries a whole batch of records
 * rather than one record: a BullMQ job costs several Redis commands and a
 * worker round trip, so one job per prediction caps the pipeline near the
 * queue's job rate, while a batch makes the per-job cost vanish and lets the
 * worker write it as one SQLite transaction. The payload stays plain JSON so
 * an operator can read it with redis-cli.
 */
export const LOG_BATCH_JOB = { name: 'log-batch', version: 1 } as const;

export interface LogBatchPayload {
  readonly v: typeof LOG_BATCH_JOB.version;
  readonly records: readonly PredictionRecord[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Why one record of a batch cannot be stored; the worker dead-letters it. */
export interface RecordProblem {
  readonly index: number;
  readonly prediction_id: string | undefined;
  readonly problem: string;
}

function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const r = value as Record<string, unknown>;
  if (typeof r.prediction_id !== 'string' || !UUID.test(r.prediction_id)) return 'prediction_id is not a UUID';
  if (typeof r.timestamp !== 'string' || !ISO.test(r.timestamp) || Number.isNaN(Date.parse(r.timestamp))) return 'timestamp is not ISO 8601 UTC';
  if (typeof r.model_version !== 'string' || r.model_version === '') return 'model_version is empty';
  if (typeof r.features !== 'object' || r.features === null || Array.isArray(r.features)) return 'features is not an object';
  if (r.prediction !== 0 && r.prediction !== 1) return 'prediction is not 0 or 1';
  if (typeof r.probability !== 'number' || !(r.probability >= 0 && r.probability <= 1)) return 'probability is not in [0, 1]';
  if (typeof r.latency_ms !== 'number' || !(r.latency_ms >= 0) || !Number.isFinite(r.latency_ms)) return 'latency_ms is not a finite number >= 0';
  return undefined;
}

/**
 * Parses a job payload before the worker touches a store. Good records and
 * bad ones are separated so that one corrupt record never blocks its batch.
 */
export function parseLogBatch(data: unknown): { records: PredictionRecord[]; problems: RecordProblem[] } {
  if (typeof data !== 'object' || data === null) {
    return { records: [], problems: [{ index: -1, prediction_id: undefined, problem: 'payload is not an object' }] };
  }
  const payload = data as { v?: unknown; records?: unknown };
  if (payload.v !== LOG_BATCH_JOB.version || !Array.isArray(payload.records)) {
    return { records: [], problems: [{ index: -1, prediction_id: undefined, problem: `unsupported payload version ${String(payload.v)}` }] };
  }
  const records: PredictionRecord[] = [];
  const problems: RecordProblem[] = [];
  payload.records.forEach((value: unknown, index: number) => {
    const problem = recordProblem(value);
    if (problem === undefined) records.push(value as PredictionRecord);
    else {
      const id = (value as { prediction_id?: unknown } | null)?.prediction_id;
      problems.push({ index, prediction_id: typeof id === 'string' ? id : undefined, problem });
    }
  });
  return { records, problems };
}
