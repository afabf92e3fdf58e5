import { encodeLogBatch, LOG_BATCH_JOB, LOG_BATCH_JOB_OPTIONS } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { newInstanceId } from './journal/instance-id';
import { createJournaledLogger, type JournaledLogger, type JournaledLoggerEvents, type JournaledLoggerOptions, type JournaledStream } from './journaled-logger';

export { LOG_BATCH_DEFAULTS } from './log-batch-defaults';

export type PredictionLoggerEvents = JournaledLoggerEvents;
export type PredictionLoggerOptions = JournaledLoggerOptions;
/** The seed's log_prediction: hand a record over and return at once (once it is in the journal). */
export type PredictionLogger = JournaledLogger<PredictionRecord>;

/** Predictions: `log-batch` jobs, records numbered per instance (what completeness counts). */
const PREDICTIONS: JournaledStream<PredictionRecord> = {
  jobName: LOG_BATCH_JOB.name,
  jobOptions: LOG_BATCH_JOB_OPTIONS,
  encode: encodeLogBatch,
  // The first record's id names the job: prediction ids are unique, so a batch's first one is too.
  jobId: (records) => records[0]?.prediction_id,
  // Field by field, not a spread: one object shape for every record, and the spread's slow path was 5 µs a request in the profile.
  stamp: (record, instanceId, seq) => ({
    prediction_id: record.prediction_id,
    timestamp: record.timestamp,
    model_version: record.model_version,
    features: record.features,
    prediction: record.prediction,
    probability: record.probability,
    latency_ms: record.latency_ms,
    instance_id: instanceId,
    seq,
    trace_id: record.trace_id,
  }),
  newInstanceId,
};

export function createPredictionLogger(options: PredictionLoggerOptions): PredictionLogger {
  return createJournaledLogger(options, PREDICTIONS);
}
