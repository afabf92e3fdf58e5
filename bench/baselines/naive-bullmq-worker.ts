/**
 * Baseline: the naive consumer. One BullMQ job per record, each inserted into
 * SQLite on its own (one INSERT, its own transaction), concurrency 1 like
 * Vigil's worker default. Env: QUEUE_NAME, SQLITE_PATH, REDIS_URL.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { PredictionRecord } from '@vigil/records';
import { openBaselineSqlite } from './baseline-sqlite';

const queueName = process.env.QUEUE_NAME;
const path = process.env.SQLITE_PATH;
if (queueName === undefined || path === undefined) throw new Error('naive-bullmq-worker: QUEUE_NAME and SQLITE_PATH are required');
const { db, insert } = openBaselineSqlite(path);
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const worker = new Worker<PredictionRecord>(queueName, async (job) => insert(job.data), { connection, concurrency: 1 });
worker.on('error', (error) => process.stderr.write(`naive-bullmq-worker: ${error.message}\n`));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void worker.close().then(() => {
      db.close();
      connection.disconnect();
      process.exit(0);
    });
  });
}
