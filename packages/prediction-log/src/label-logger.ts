import { join } from 'node:path';
import { encodeLabelBatch, LABEL_BATCH_JOB, LABEL_BATCH_JOB_OPTIONS, labelBatchJobId } from '@vigil/queue';
import type { LabelRecord } from '@vigil/records';
import { connectionRedisAddress } from './journal/destination';
import { newInstanceId } from './journal/instance-id';
import { createJournaledLogger, type JournaledLogger, type JournaledLoggerOptions, type JournaledStream } from './journaled-logger';

export type LabelLogger = JournaledLogger<LabelRecord>;

/** The stream name written into a label journal's owner.json: only a label logger of the same queue and Redis adopts it. */
export const LABEL_STREAM = 'labels';

/** Where label journals live under SPOOL_DIR: a tree of their own, so the prediction journals' layout is untouched. */
export const LABEL_JOURNAL_SUBDIR = 'labels';

/** Labels: `label-batch` jobs, ids from content (a replayed or resent batch is the same job), no per-instance numbering. */
const LABELS: JournaledStream<LabelRecord> = {
  jobName: LABEL_BATCH_JOB.name,
  jobOptions: LABEL_BATCH_JOB_OPTIONS,
  encode: encodeLabelBatch,
  jobId: labelBatchJobId,
  stamp: (record) => record,
  newInstanceId: () => newInstanceId().replace(/^api-/, 'labels-'),
};

/**
 * The prediction logger's loss-free path for labels: journaled before POST
 * /feedback answers, batched, enqueued, replayed after a Redis outage, and
 * adopted from a dead instance only by a label logger of the same destination.
 * `journal.dir` is SPOOL_DIR itself; the labels take its `labels/` subtree.
 */
export function createLabelLogger(options: JournaledLoggerOptions): LabelLogger {
  const journal = options.journal === undefined ? undefined : { ...options.journal, dir: join(options.journal.dir, LABEL_JOURNAL_SUBDIR) };
  const destination = options.destination === undefined ? undefined : { ...options.destination, stream: LABEL_STREAM };
  return createJournaledLogger(
    { ...options, journal, destination: destination ?? { queue: options.queueName, redis: defaultRedis(options), stream: LABEL_STREAM } },
    LABELS,
  );
}

function defaultRedis(options: JournaledLoggerOptions): string {
  return connectionRedisAddress(options.connection);
}
