import { MetricsTime, Worker, type Job } from 'bullmq';
import type { Config } from '@vigil/config';
import { createLogger, createWorkerMetrics } from '@vigil/metrics';
import {
  bullConnection,
  createRedisConnection,
  deadLetterExhaustedJob,
  deadLetterExhaustedLabelJob,
  DeadLetterQueue,
  LABEL_BATCH_JOB,
  labelBatchHandler,
  logBatchHandler,
  queueNames,
  type LabelBatchPayload,
  type LogBatchSink,
  type LogBatchPayload,
} from '@vigil/queue';
import { startAlerting, type RunningAlerting } from '@vigil/alerts';
import { AuditShipper } from '@vigil/audit';
import { PostgresStore, SqliteInsertThread, SqliteWriter, startQualityFolding, startRetention } from '@vigil/stores';
import { startAuditPartitions } from './audit-partitions';
import { startHealthServer, type HealthServer } from './health-server';
import { redisCheck, sqliteCheck } from './worker-checks';

export interface RunningWorker {
  readonly shipper: AuditShipper | undefined;
  /** Runs one alert evaluation round now (tests; the scheduler runs them otherwise). */
  readonly evaluateAlerts: (() => Promise<void>) | undefined;
  /** Port of the worker's /metrics, /healthz and /readyz server (the real one when WORKER_METRICS_PORT=0), if it has one. */
  readonly metricsPort: number | undefined;
  /** Finishes the batch in hand, stops shipping, closes connections. */
  close(): Promise<void>;
}

/** What the worker's process tells it. */
export interface WorkerHooks {
  /** The CPU priority the worker process gave itself (main.ts), for the start-up log line. */
  readonly startedAtNice?: number;
}

export async function startWorker(config: Config, hooks: WorkerHooks = {}): Promise<RunningWorker> {
  const logger = createLogger('worker', config.logLevel);
  // One child per part of the worker: every line says which part wrote it.
  const auditLogger = logger.child({ component: 'audit' });
  const jobLogger = logger.child({ component: 'jobs' });
  const metrics = createWorkerMetrics();
  const sqlite = SqliteWriter.open(config.sqlitePath);
  // Predictions are written on a thread of their own, so the queue's work and SQLite's overlap (see SqliteInsertThread).
  // Half the batches it holds in one transaction: the other half is fetched and parsed meanwhile.
  const predictionInserts = new SqliteInsertThread(config.sqlitePath, { maxBatchesPerTransaction: Math.ceil(config.workerConcurrency / 2) });

  let postgres: PostgresStore | undefined;
  let shipper: AuditShipper | undefined;
  if (config.auditDatabaseUrl !== undefined) {
    // Lazy: the worker starts and fills SQLite even while Postgres is down; the shipper retries.
    postgres = PostgresStore.lazy({ connectionString: config.auditDatabaseUrl, schema: config.auditSchema });
    // Migrate now when Postgres is up (so the audit schema exists from start-up on); if it is not, carry on.
    await postgres.ready().catch((error: Error) => auditLogger.warn('audit store not reachable at start-up; will retry', { error: error.message }));
    shipper = new AuditShipper(sqlite, postgres, {
      batchSize: config.auditBatchSize,
      maxRetryDelayMs: config.auditRetryMaxDelayMs,
      events: {
        shipped: (rows, inserted, seconds) => {
          metrics.recordsWritten.inc({ store: 'postgres' }, inserted);
          metrics.writeLatency.observe({ store: 'postgres' }, seconds);
          auditLogger.debug('audit batch shipped', { rows, inserted });
        },
        labelsShipped: (rows, inserted) => auditLogger.debug('audit label page shipped', { rows, inserted }),
        failed: (error, attempt, retryInMs) => {
          metrics.auditWriteFailures.inc();
          auditLogger.warn('audit write failed; will retry', { error: error.message, attempt, retry_in_ms: Math.round(retryInMs) });
        },
        backlog: (count, age) => {
          metrics.auditBacklog.set(count);
          metrics.auditLagSeconds.set(age);
        },
      },
    });
    shipper.start();
  }

  // BullMQ workers block on Redis; they need maxRetriesPerRequest: null.
  const connection = createRedisConnection(config.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const deadLetters = new DeadLetterQueue(connection, config.queueName);
  const predictionSink: LogBatchSink = {
    insertBatch: (records) => predictionInserts.insertBatch(records),
    insertBatches: (batches) => predictionInserts.insertBatches(batches),
    joinsBatches: true,
    recordDeadLettered: (records) => sqlite.recordDeadLettered(records),
  };
  const handleLogBatch = logBatchHandler({
    sink: predictionSink,
    onWritten: () => shipper?.wake(),
    deadLetters,
    metrics,
    logger: jobLogger,
  });
  const handleLabelBatch = labelBatchHandler({ sink: sqlite, onWritten: () => shipper?.wake(), deadLetters, metrics, logger: jobLogger });
  // One queue, two job kinds: dispatched by name (anything not a label batch is a log batch, as every job was before labels).
  const worker = new Worker<LogBatchPayload | LabelBatchPayload>(
    queueNames(config.queueName).log,
    (job) => (job.name === LABEL_BATCH_JOB.name ? handleLabelBatch(job as Job<LabelBatchPayload>) : handleLogBatch(job as Job<LogBatchPayload>)),
    // metrics: per-minute completed/failed counts kept a week in Redis, read by /monitoring/queue and bull-board.
    {
      ...bullConnection(connection, queueNames(config.queueName).log),
      concurrency: config.workerConcurrency,
      autorun: true,
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    },
  );
  worker.on('error', (error) => logger.warn('queue connection error', { error: error.message }));
  const moveToDeadLetters = deadLetterExhaustedJob(deadLetters, metrics, jobLogger, sqlite);
  const moveLabelsToDeadLetters = deadLetterExhaustedLabelJob(deadLetters, metrics, jobLogger);
  worker.on('failed', (job, error) => {
    logger.warn('log batch failed', { job_id: job?.id, job_name: job?.name, attempts: job?.attemptsMade, error: error.message });
    if (job?.name === LABEL_BATCH_JOB.name) void moveLabelsToDeadLetters(job as Job<LabelBatchPayload>, error);
    else void moveToDeadLetters(job as Job<LogBatchPayload> | undefined, error);
  });

  const retention =
    config.retentionDays === undefined
      ? undefined
      : startRetention({
          sqlite,
          retentionDays: config.retentionDays,
          keepUnaudited: config.auditDatabaseUrl !== undefined,
          logger: logger.child({ component: 'retention' }),
        });

  const qualityFolding = startQualityFolding({ sqlite, logger: logger.child({ component: 'quality-folding' }) });

  const auditPartitions = startAuditPartitions(config, postgres, logger);

  const alerting: RunningAlerting | undefined = config.alerting
    ? await startAlerting({ settings: config, connection, outbox: sqlite, deadLetters, logger: logger.child({ component: 'alerts' }) })
    : undefined;

  // One port for the scraper and the probes: a host running several workers already gives each its own.
  let stopping = false;
  const healthServer: HealthServer | undefined =
    config.workerMetricsPort === undefined
      ? undefined
      : await startHealthServer({
          port: config.workerMetricsPort,
          host: config.host,
          registry: metrics.registry,
          checks: { sqlite: sqliteCheck(sqlite), redis: redisCheck(connection) },
          shuttingDown: () => stopping,
        });
  logger.info('worker started', { queue: config.queueName, sqlite: config.sqlitePath, audit: postgres !== undefined, nice: hooks.startedAtNice });

  let closing: Promise<void> | undefined;
  return {
    shipper,
    evaluateAlerts: alerting === undefined ? undefined : () => alerting.evaluateNow(),
    metricsPort: healthServer?.port,
    close() {
      stopping = true;
      closing ??= (async () => {
        // Finish the batch in hand; if Redis is gone that can never be acknowledged,
        // so give up waiting after a while (the job is redelivered, and the rows are idempotent).
        await Promise.race([worker.close(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
        await alerting?.close();
        await deadLetters.close();
        await retention?.stop();
        await qualityFolding.stop();
        await auditPartitions?.stop();
        await shipper?.stop();
        await postgres?.close();
        await predictionInserts.close();
        sqlite.close();
        connection.disconnect();
        await healthServer?.close();
        logger.info('worker stopped');
      })();
      return closing;
    },
  };
}
