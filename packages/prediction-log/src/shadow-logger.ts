import { join } from 'node:path';
import { encodeLogBatch, LOG_BATCH_JOB, LOG_BATCH_JOB_OPTIONS } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { connectionRedisAddress } from './journal/destination';
import { newInstanceId } from './journal/instance-id';
import { createJournaledLogger, type JournaledLogger, type JournaledLoggerOptions, type JournaledStream } from './journaled-logger';

export type ShadowLogger = JournaledLogger<PredictionRecord>;

/** The stream name in a shadow journal's owner.json: only a shadow logger of the same queue and Redis adopts it. */
export const SHADOW_STREAM = 'shadow';

/** Where shadow journals live under SPOOL_DIR: a tree of their own beside the predictions' and labels'. */
export const SHADOW_JOURNAL_SUBDIR = 'shadow';

/**
 * A challenger's scores: `log-batch` jobs marked `role: shadow`, under the champion's
 * prediction ids. Not numbered per instance: completeness accounts for what clients
 * were answered, and a shadow score answers no one (it is skipped when it falls behind).
 */
const SHADOWS: JournaledStream<PredictionRecord> = {
  jobName: LOG_BATCH_JOB.name,
  jobOptions: LOG_BATCH_JOB_OPTIONS,
  encode: (records) => encodeLogBatch(records, 'shadow'),
  // Prefixed: the champion's batch may start with the same prediction id, and BullMQ keeps one job per id.
  jobId: (records) => (records[0] === undefined ? undefined : `shadow-${records[0].model_version}-${records[0].prediction_id}`),
  stamp: (record) => ({
    prediction_id: record.prediction_id,
    timestamp: record.timestamp,
    model_version: record.model_version,
    features: record.features,
    prediction: record.prediction,
    probability: record.probability,
    latency_ms: record.latency_ms,
    role: 'shadow',
  }),
  newInstanceId: () => newInstanceId().replace(/^api-/, 'shadow-'),
};

/**
 * The loss-free path for shadow scores: journaled, batched, enqueued on the log queue,
 * replayed after a Redis outage; `journal.dir` is SPOOL_DIR, the shadow takes its `shadow/` subtree.
 */
export function createShadowLogger(options: JournaledLoggerOptions): ShadowLogger {
  const journal = options.journal === undefined ? undefined : { ...options.journal, dir: join(options.journal.dir, SHADOW_JOURNAL_SUBDIR) };
  const destination = {
    ...(options.destination ?? { queue: options.queueName, redis: connectionRedisAddress(options.connection) }),
    stream: SHADOW_STREAM,
  };
  return createJournaledLogger({ ...options, journal, destination }, SHADOWS);
}
