/**
 * Baseline: naive BullMQ. One job per prediction, awaited in the request path
 * before the answer is sent. Same job options as Vigil's log batches (retries,
 * removeOnComplete), so the only difference is one job per record instead of
 * one per batch, and the await. Env: PORT, QUEUE_NAME, REDIS_URL.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { LOG_BATCH_JOB_OPTIONS } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { serveBaseline } from './baseline-app';

const queueName = process.env.QUEUE_NAME;
if (queueName === undefined) throw new Error('naive-bullmq-app: QUEUE_NAME is required');
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queue = new Queue<PredictionRecord>(queueName, { connection, defaultJobOptions: LOG_BATCH_JOB_OPTIONS });

await serveBaseline('naive-bullmq-app', async (record) => {
  await queue.add('prediction', record, { jobId: record.prediction_id });
});
