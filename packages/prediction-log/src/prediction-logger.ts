import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Batcher } from './batcher';
import type { DiskSpool } from './disk-spool';
import { encodeLogBatch, LOG_BATCH_JOB, type LogBatchPayload } from './log-batch-job';
import type { PredictionRecord } from './prediction-record';

/** What the logger reports, so the app can count it in its metrics without this package knowing prom-client. */
export interface PredictionLoggerEvents {
  enqueued?(records: number, seconds: number): void;
  enqueueFailed?(records: number, error: Error): void;
  spooled?(records: number): void;
  replayed?(records: number): void;
  /** The spool's size on disk changed. */
  spoolBytes?(bytes: number): void;
  /** Records neither enqueued nor spooled (no spool, or the spool is full): the only way a record is lost. */
  dropped?(records: number, reason: string): void;
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
   * An enqueue that has not finished after this long is treated as failed (its batch is spooled).
   * @defaultValue 2000
   */
  readonly enqueueTimeoutMs?: number;
  /**
   * Batches being added to Redis at once; past this (a slow Redis) new
   * batches go to the spool, so memory stays bounded.
   * @defaultValue 16
   */
  readonly maxInFlightBatches?: number;
  /** Where batches wait while Redis cannot take them. Without one they are counted as dropped. */
  readonly spool?: DiskSpool;
  /** How often to try replaying the spool. @defaultValue 250 */
  readonly replayIntervalMs?: number;
  readonly events?: PredictionLoggerEvents;
}

/** The seed's log_prediction: hand a record over and return at once. */
export interface PredictionLogger {
  log(record: PredictionRecord): void;
  /** Resolves once everything logged so far has been enqueued or spooled. */
  flush(): Promise<void>;
  /** Resolves once the spool is empty (or `timeoutMs` passed): for tests and shutdown. */
  drainSpool(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`enqueue timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Default job options: retries for store hiccups, failed jobs kept for the dead-letter tools. */
export const LOG_BATCH_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 500 },
  // Completed batches are already in the stores; keep a few for operators to inspect.
  removeOnComplete: { count: 1000 },
  removeOnFail: false,
} as const;

export function createPredictionLogger(options: PredictionLoggerOptions): PredictionLogger {
  if (options.queueName === '') throw new RangeError('createPredictionLogger: queueName must not be empty');
  const { connection, spool, events } = options;
  const timeoutMs = options.enqueueTimeoutMs ?? 2000;
  const maxInFlight = options.maxInFlightBatches ?? 16;

  // BullMQ sends INFO the moment a Queue is built, and with the offline queue
  // off that fails (and poisons the Queue) unless the connection is already
  // up. So the Queue is built on first use with a ready connection; until
  // then an enqueue fails fast and its records go to the spool.
  let queue: Queue<LogBatchPayload> | undefined;
  function readyQueue(): Queue<LogBatchPayload> {
    if (queue !== undefined) return queue;
    if (connection.status !== 'ready') throw new Error(`Redis is not connected (${connection.status})`);
    queue = new Queue<LogBatchPayload>(options.queueName, { connection, defaultJobOptions: LOG_BATCH_JOB_OPTIONS });
    queue.on('error', () => {
      // Connection errors also fail each add, where they are counted.
    });
    return queue;
  }

  async function add(records: readonly PredictionRecord[]): Promise<void> {
    const started = performance.now();
    // The first record's id names the job: re-adding the same batch (a replay
    // after a timeout that in fact succeeded) is then a no-op in BullMQ.
    await withTimeout(
      readyQueue().add(LOG_BATCH_JOB.name, encodeLogBatch(records), { jobId: records[0]?.prediction_id }),
      timeoutMs,
    );
    events?.enqueued?.(records.length, (performance.now() - started) / 1000);
  }

  function toSpool(records: PredictionRecord[], reason: string): void {
    if (spool?.append(records)) {
      events?.spooled?.(records.length);
      events?.spoolBytes?.(spool.bytes);
    } else events?.dropped?.(records.length, spool ? `spool full or unwritable (${reason})` : `no spool (${reason})`);
  }

  let inFlight = 0;
  async function sink(records: PredictionRecord[]): Promise<void> {
    // While older batches wait in the spool, new ones queue up behind them:
    // replay then keeps the order in which predictions were made.
    if (spool?.hasBacklog) return toSpool(records, 'spool backlog');
    if (inFlight >= maxInFlight) return toSpool(records, 'Redis is slow');
    inFlight += 1;
    try {
      await add(records);
    } catch (error) {
      events?.enqueueFailed?.(records.length, error as Error);
      toSpool(records, (error as Error).message);
    } finally {
      inFlight -= 1;
    }
  }

  let replaying: Promise<void> | undefined;
  async function replay(): Promise<void> {
    if (spool === undefined) return;
    // Batches keep arriving in the spool while it drains; go round until it is empty.
    while (spool.hasBacklog) {
      for (const segment of spool.sealForReplay()) {
        for (const batch of spool.read(segment)) {
          await add(batch.records); // a throw leaves the segment for the next attempt; re-adds are de-duplicated by job id
          events?.replayed?.(batch.records.length);
        }
        spool.remove(segment);
        events?.spoolBytes?.(spool.bytes);
      }
    }
  }
  function tryReplay(): Promise<void> {
    if (replaying === undefined && spool?.hasBacklog && connection.status === 'ready') {
      replaying = replay()
        .catch(() => undefined)
        .finally(() => {
          replaying = undefined;
        });
    }
    return replaying ?? Promise.resolve();
  }

  let ticks = 0;
  const timer =
    spool === undefined
      ? undefined
      : setInterval(() => {
          ticks += 1;
          if (ticks % 40 === 0) spool.adoptOrphans();
          spool.sync();
          void tryReplay();
        }, options.replayIntervalMs ?? 250);
  timer?.unref();

  const batcher = new Batcher<PredictionRecord>({
    maxItems: options.maxBatchRecords ?? 500,
    maxWaitMs: options.maxBatchWaitMs ?? 10,
    sink,
  });

  return {
    log: (record) => batcher.add(record),
    flush: () => batcher.flush(),
    async drainSpool(waitMs) {
      const deadline = Date.now() + waitMs;
      while (spool?.hasBacklog && Date.now() < deadline) {
        await tryReplay();
        if (spool.hasBacklog) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return !spool?.hasBacklog;
    },
    async close() {
      await batcher.flush();
      clearInterval(timer);
      await replaying;
      spool?.close();
      await queue?.close();
    },
  };
}
