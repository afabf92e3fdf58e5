import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Batcher } from './batcher';
import { LOG_BATCH_JOB, type LogBatchPayload } from './log-batch-job';
import type { PredictionRecord } from './prediction-record';

/** What the logger reports, so the app can count it in its metrics without this package knowing prom-client. */
export interface PredictionLoggerEvents {
  enqueued?(records: number, seconds: number): void;
  enqueueFailed?(records: number, error: Error): void;
}

/** Options for {@link createPredictionLogger}. */
export interface PredictionLoggerOptions {
  /** A constructed ioredis client; the logger does not close it. Use `enableOfflineQueue: false` so a dead Redis fails fast. */
  readonly connection: Redis;
  readonly queueName: string;
  /** @defaultValue 500 */
  readonly maxBatchRecords?: number;
  /** @defaultValue 10 */
  readonly maxBatchWaitMs?: number;
  /**
   * An enqueue that has not finished after this long is treated as failed.
   * @defaultValue 2000
   */
  readonly enqueueTimeoutMs?: number;
  readonly events?: PredictionLoggerEvents;
  /** Receives records that could not be enqueued (a disk spool); without one they are only counted. */
  readonly fallback?: (records: PredictionRecord[], error: Error) => Promise<void>;
}

/** The seed's log_prediction: hand a record over and return at once. */
export interface PredictionLogger {
  log(record: PredictionRecord): void;
  /** Resolves once everything logged so far has been enqueued (or handed to the fallback). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`enqueue timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Default job options: retries for store hiccups, failed jobs kept as the dead-letter record. */
export const LOG_BATCH_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 500 },
  // Completed batches are already in the stores; keep a few for operators to inspect.
  removeOnComplete: { count: 1000 },
  removeOnFail: false,
} as const;

export function createPredictionLogger(options: PredictionLoggerOptions): PredictionLogger {
  if (options.queueName === '') throw new RangeError('createPredictionLogger: queueName must not be empty');
  // BullMQ sends INFO the moment a Queue is built, and with the offline queue
  // off that fails (and poisons the Queue) unless the connection is already
  // up. So the Queue is built on first use with a ready connection; until
  // then an enqueue fails fast and its records go to the fallback.
  let queue: Queue<LogBatchPayload> | undefined;
  function readyQueue(): Queue<LogBatchPayload> {
    if (queue !== undefined) return queue;
    if (options.connection.status !== 'ready') throw new Error(`Redis is not connected (${options.connection.status})`);
    queue = new Queue<LogBatchPayload>(options.queueName, {
      connection: options.connection,
      defaultJobOptions: LOG_BATCH_JOB_OPTIONS,
    });
    queue.on('error', () => {
      // Connection errors also fail each add, where they are counted.
    });
    return queue;
  }
  const timeoutMs = options.enqueueTimeoutMs ?? 2000;

  async function enqueue(records: PredictionRecord[]): Promise<void> {
    const started = performance.now();
    try {
      // The first record's id names the job: re-adding the same batch (a replay
      // after a timeout that in fact succeeded) is then a no-op in BullMQ.
      const first = records[0];
      await withTimeout(
        readyQueue().add(LOG_BATCH_JOB.name, { v: LOG_BATCH_JOB.version, records }, { jobId: first?.prediction_id }),
        timeoutMs,
      );
      options.events?.enqueued?.(records.length, (performance.now() - started) / 1000);
    } catch (error) {
      options.events?.enqueueFailed?.(records.length, error as Error);
      if (options.fallback) await options.fallback(records, error as Error);
    }
  }

  const batcher = new Batcher<PredictionRecord>({
    maxItems: options.maxBatchRecords ?? 500,
    maxWaitMs: options.maxBatchWaitMs ?? 10,
    sink: enqueue,
  });

  return {
    log: (record) => batcher.add(record),
    flush: () => batcher.flush(),
    async close() {
      await batcher.flush();
      await queue?.close();
    },
  };
}
