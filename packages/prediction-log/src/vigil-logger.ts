import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisConnection, type RedisConnection } from '@vigil/queue';
import { redisUrlAddress } from './journal/destination';
import type { JournalFsync } from './journal/journal';
import type { LoggerHealth } from './logger-health';
import { createPredictionLogger, type PredictionLoggerEvents } from './prediction-logger';
import { predictionRecord, type VigilPrediction } from './vigil-prediction';

/** Where the journal lives when `journalDir` is not given: survives a crash or restart of the process on this machine. */
export const DEFAULT_JOURNAL_DIR = join(tmpdir(), 'vigil-journal');

/** The most one logger keeps on disk when `journalMaxBytes` is not given: 1 GiB, the API's SPOOL_MAX_BYTES default. */
export const DEFAULT_JOURNAL_MAX_BYTES = 1024 ** 3;

interface VigilLoggerSettings {
  /** The Vigil worker's QUEUE_NAME: the BullMQ queue its log-batch jobs go to. */
  readonly queueName: string;
  /**
   * The write-ahead journal's directory (the API's SPOOL_DIR): every record is written here before `log()` returns, and batches
   * Redis has not taken wait here. Use a persistent volume in production; replicas may share it. `false`: no journal, records live
   * in memory only until Redis takes them. @defaultValue {@link DEFAULT_JOURNAL_DIR}
   */
  readonly journalDir?: string | false;
  /** What this logger may keep on disk; past it records are not journaled. @defaultValue {@link DEFAULT_JOURNAL_MAX_BYTES} */
  readonly journalMaxBytes?: number;
  /** `off`: survives a crash of the process; `interval`/`always`: also of the machine, at a cost. @defaultValue 'off' */
  readonly journalFsync?: JournalFsync;
  /** Names this process in every record and its journal directory: 1-64 of [A-Za-z0-9_.-]. @defaultValue a fresh one per start */
  readonly instanceId?: string;
  /** @defaultValue 500 */
  readonly maxBatchRecords?: number;
  /** @defaultValue 100 */
  readonly maxBatchWaitMs?: number;
  /** Counts for your metrics: enqueued, spooled, replayed, dropped… */
  readonly events?: PredictionLoggerEvents;
}

/** Options of {@link createVigilLogger}: a Redis URL (the logger owns that connection) or a connection of yours. */
export type VigilLoggerOptions = VigilLoggerSettings &
  (
    | { readonly redisUrl: string; readonly connection?: undefined }
    | {
        /** An ioredis client you own (the logger does not close it); `enableOfflineQueue: false` lets a dead Redis fail fast. */
        readonly connection: RedisConnection;
        readonly redisUrl?: undefined;
      }
  );

/** What a model server logs predictions with. */
export interface VigilLogger {
  readonly instanceId: string;
  /**
   * Checks the prediction, journals it and batches it for Redis, then returns its prediction_id
   * (the one given, or a fresh UUIDv7). Never waits for Redis. Throws a TypeError for a prediction
   * the worker could not store (a missing field, a probability outside [0, 1]…).
   */
  log(prediction: VigilPrediction): string;
  /** Resolves once everything logged so far is in Redis or waiting in the journal. */
  flush(): Promise<void>;
  /** Redis up or down, the journal's state and backlog: for a readiness probe. */
  health(): LoggerHealth;
  /** Flushes, stops the timers and closes the connection it opened; what Redis has not taken stays in the journal for the next start. */
  close(): Promise<void>;
}

function ownConnection(redisUrl: string): RedisConnection {
  // The API's settings: fail fast while Redis is away (the batch waits in the journal) instead of queueing commands in memory.
  const connection = createRedisConnection(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Connection trouble shows in health() and in each failed enqueue; an 'error' without a listener would kill the process.
  connection.on('error', () => undefined);
  return connection;
}

/**
 * A prediction logger for any Node model server, on the same journal, batching
 * and `log-batch` jobs as Vigil's own API, so a Vigil worker on `queueName`
 * stores what it logs.
 */
export function createVigilLogger(options: VigilLoggerOptions): VigilLogger {
  if (typeof options.queueName !== 'string' || options.queueName === '') throw new TypeError('createVigilLogger: queueName must be a non-empty string');
  if ((options.redisUrl === undefined) === (options.connection === undefined)) {
    throw new TypeError('createVigilLogger: give either redisUrl or connection');
  }
  const connection = options.connection ?? ownConnection(options.redisUrl as string);
  const journalDir = options.journalDir ?? DEFAULT_JOURNAL_DIR;
  const logger = createPredictionLogger({
    connection,
    queueName: options.queueName,
    instanceId: options.instanceId,
    maxBatchRecords: options.maxBatchRecords,
    maxBatchWaitMs: options.maxBatchWaitMs,
    journal:
      journalDir === false ? undefined : { dir: journalDir, maxBytes: options.journalMaxBytes ?? DEFAULT_JOURNAL_MAX_BYTES, fsync: options.journalFsync },
    // From the URL, as the API names it: a model server and an API on one volume and one queue adopt each other's journals.
    destination: options.redisUrl === undefined ? undefined : { queue: options.queueName, redis: redisUrlAddress(options.redisUrl) },
    events: options.events,
  });
  return {
    instanceId: logger.instanceId,
    log(prediction) {
      const record = predictionRecord(prediction);
      logger.log(record);
      return record.prediction_id;
    },
    flush: () => logger.flush(),
    health: () => logger.health(),
    async close() {
      await logger.close();
      if (options.connection === undefined) connection.disconnect();
    },
  };
}
