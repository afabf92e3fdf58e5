import type { Redis } from 'ioredis';
import { encodeLogBatch, LOG_BATCH_JOB, LOG_BATCH_JOB_OPTIONS, queueNames, ReadyQueue, type LogBatchPayload } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { Batcher } from './batcher';
import type { DiskSpool } from './disk-spool';

/**
 * The batch limits when none are given, the same as the API's
 * LOG_BATCH_MAX_RECORDS and LOG_BATCH_MAX_WAIT_MS defaults (a test checks
 * they agree; see the README for why the wait is 100 ms).
 */
export const LOG_BATCH_DEFAULTS = Object.freeze({ maxRecords: 500, maxWaitMs: 100 });

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
  /** @defaultValue 500 ({@link LOG_BATCH_DEFAULTS}) */
  readonly maxBatchRecords?: number;
  /** @defaultValue 100 ({@link LOG_BATCH_DEFAULTS}) */
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

export function createPredictionLogger(options: PredictionLoggerOptions): PredictionLogger {
  if (options.queueName === '') throw new RangeError('createPredictionLogger: queueName must not be empty');
  const { connection, spool, events } = options;
  const timeoutMs = options.enqueueTimeoutMs ?? 2000;
  const maxInFlight = options.maxInFlightBatches ?? 16;

  // The Queue is built on first use with a ready connection (see ReadyQueue);
  // until then an enqueue fails fast and its records go to the spool.
  const queue = new ReadyQueue<LogBatchPayload>(connection, queueNames(options.queueName).log, { defaultJobOptions: LOG_BATCH_JOB_OPTIONS });

  async function add(records: readonly PredictionRecord[]): Promise<void> {
    const started = performance.now();
    // The first record's id names the job: re-adding the same batch (a replay
    // after a timeout that in fact succeeded) is then a no-op in BullMQ.
    await withTimeout(queue.get().add(LOG_BATCH_JOB.name, encodeLogBatch(records), { jobId: records[0]?.prediction_id }), timeoutMs);
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
    maxItems: options.maxBatchRecords ?? LOG_BATCH_DEFAULTS.maxRecords,
    maxWaitMs: options.maxBatchWaitMs ?? LOG_BATCH_DEFAULTS.maxWaitMs,
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
      await queue.close();
    },
  };
}
