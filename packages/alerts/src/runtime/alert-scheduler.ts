import { Worker } from 'bullmq';
import { bullConnection, ReadyQueue, type RedisConnection } from '@vigil/queue';

export interface AlertSchedulerOptions {
  /** A connection with maxRetriesPerRequest: null (BullMQ workers block on it). */
  readonly connection: RedisConnection;
  /** The evaluation queue (queueNames(QUEUE_NAME).alertEvaluations). */
  readonly queueName: string;
  readonly everyMs: number;
  /** One evaluation round. */
  readonly evaluate: () => Promise<void>;
}

/** Id of the job scheduler in Redis: every worker upserts the same one. */
const SCHEDULER_ID = 'evaluate-alert-rules';

/**
 * Alert evaluation as a BullMQ job scheduler's job. Every worker process
 * runs this, but Redis hands each tick to exactly one worker, and if that
 * worker dies the next tick goes to another (no gap longer than one interval).
 */
export async function startAlertScheduler(options: AlertSchedulerOptions): Promise<{ close(): Promise<void> }> {
  const { connection, queueName } = options;
  const evaluations = new ReadyQueue(connection, queueName);
  const evaluationJob = { name: 'evaluate', opts: { removeOnComplete: 10, removeOnFail: 100 } };
  await evaluations.get().upsertJobScheduler(SCHEDULER_ID, { every: options.everyMs }, evaluationJob);

  const worker = new Worker(queueName, () => options.evaluate(), { ...bullConnection(connection, queueName), concurrency: 1 });
  worker.on('error', () => undefined);
  return {
    async close() {
      // A round stuck on a store that went away must not hold the shutdown forever.
      await Promise.race([worker.close(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      await evaluations.close();
    },
  };
}
