import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApiAlerting } from '@vigil/alerts';
import type { Config, StopOptions } from '@vigil/config';
import { createApiMetrics, createLogger } from '@vigil/metrics';
import { loadModel } from '@vigil/model';
import { CompletenessService, loadQualityCalibration, MonitoringService, PerformanceService, TimeseriesService } from '@vigil/monitoring';
import { createLabelLogger, createPredictionLogger, redisUrlAddress, type LabelLogger, type PredictionLogger } from '@vigil/prediction-log';
import {
  createRedisConnection,
  DeadLetterQueue,
  QueueInspector,
  queueNames,
  readInstanceReports,
  startInstanceReporter,
  type RedisConnection,
} from '@vigil/queue';
import { openLabelReader, openMonitoringReader, openQualityReader } from '@vigil/stores';
import { createDriftService } from '@vigil/drift';
import { openExportSource } from '@vigil/export';
import { createApp } from './create-app';
import { errorBody, rawErrorResponse } from './error-json';
import { readAtScrape } from './dashboard/scrape-sources';
import { createFeatureRedactor } from './security/redact-features';
import { accessWarnings } from './security/access-keys';
import { Readiness } from './readiness';
import { journalCheck, loggerChecks, modelLoaded } from './readiness-checks';
import { shutdownGrace } from './shutdown-grace';
import { startShadow } from './start-shadow';
import { openCompare } from './open-compare';

export interface RunningApi {
  readonly port: number;
  readonly server: Server;
  /**
   * Turns /readyz 503 (`shutting_down`), keeps serving for `graceMs` (default 0, as tests want),
   * then stops accepting, answers what is in flight, flushes the log batcher, closes connections.
   * A second call with a shorter grace (SIGINT after SIGTERM) cuts the wait short.
   */
  close(options?: StopOptions): Promise<void>;
}

/** What the prediction and label loggers share: the connection, the batch limits, the journal and where records go. */
function journaledStream(config: Config, connection: RedisConnection) {
  return {
    connection,
    queueName: config.queueName,
    maxBatchRecords: config.logBatchMaxRecords,
    maxBatchWaitMs: config.logBatchMaxWaitMs,
    journal: {
      dir: config.spoolDir,
      maxBytes: config.spoolMaxBytes,
      fsync: config.journalFsync,
      fsyncIntervalMs: config.journalFsyncIntervalMs,
      leaseMs: config.journalLeaseMs,
    },
    destination: { queue: config.queueName, redis: redisUrlAddress(config.redisUrl) },
  };
}

/** Builds the API from a validated config and listens on config.port. */
export async function startApi(config: Config): Promise<RunningApi> {
  const logger = createLogger('api', config.logLevel);
  for (const warning of accessWarnings(config)) logger.warn(warning);
  const metrics = createApiMetrics();
  const model = await loadModel({ modelPath: config.modelPath, specPath: config.modelSpecPath });
  // Before any connection is opened: a LOG_REDACT_FEATURES typo stops start-up here.
  const redactFeatures = createFeatureRedactor(config, model.spec);
  // Postgres is opened lazily: the API (and /predict) starts while it is down.
  const reader = openMonitoringReader(config);
  // The rows behind /monitoring/export, from the same store; opened on its first export.
  const exportSource = openExportSource(config);
  // Loaded once at start: a broken drift config or reference stops start-up with a message naming it.
  const drift = createDriftService({ settings: config, spec: model.spec, reader });

  let redis: RedisConnection | undefined;
  let predictionLogger: PredictionLogger | undefined;
  let labelLogger: LabelLogger | undefined;
  let deadLetters: DeadLetterQueue | undefined;
  let queue: QueueInspector | undefined;
  if (config.predictionLogging) {
    // Fail fast while Redis is away instead of queueing commands in memory:
    // a failed enqueue is counted (and spooled), a queued one grows the heap.
    redis = createRedisConnection(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', () => undefined);
    // Give Redis a moment so the first predictions go to the queue; if it is
    // down, start anyway: predictions are served and their records spooled.
    // (events.once would reject on the first 'error', i.e. on a refused connection.)
    const connected = redis;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      connected.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    deadLetters = new DeadLetterQueue(redis, config.queueName);
    queue = new QueueInspector(redis, config.queueName);
    // Every record is journaled before its answer; journals left by dead instances of this
    // queue and Redis (a crash, a replaced container, another host on the volume) are adopted and replayed.
    predictionLogger = createPredictionLogger({
      ...journaledStream(config, redis),
      events: {
        spooled: (records) => metrics.logRecordsSpooled.inc(records),
        replayed: (records) => metrics.logRecordsReplayed.inc(records),
        spoolBytes: (bytes) => metrics.spoolBytes.set(bytes),
        foreignSegments: (segments) => metrics.spoolForeignSegments.set(segments),
        foreignJournal: (journal) =>
          logger.warn("a dead API instance's journal on SPOOL_DIR is for another queue or Redis: left alone, not replayed", {
            instance: journal.instanceId,
            destination: journal.destination ?? 'unknown (no readable owner.json)',
            segments: journal.segments,
            dir: journal.dir,
          }),
        adopted: (instance, segments) => logger.info("adopted a dead API instance's journal; replaying it", { instance, segments }),
        journalFailed: (error) =>
          logger.error('the journal cannot be written: records are kept in memory only until Redis takes them', { error: error.message }),
        journalLost: () => logger.warn('this instance stalled past JOURNAL_LEASE_MS and another adopted its journal; started a new one'),
        dropped: (records, reason) => {
          metrics.logRecordsDropped.inc(records);
          logger.error('log records dropped', { records, reason });
        },
        enqueued: (records, seconds) => {
          metrics.logRecordsEnqueued.inc(records);
          metrics.logBatchSize.observe(records);
          metrics.logEnqueueLatency.observe(seconds);
        },
        enqueueFailed: (records, error) => {
          metrics.logRecordsEnqueueFailed.inc(records);
          logger.warn('log batch not enqueued; it waits in the journal', { records, error: error.message });
        },
      },
    });
  }

  if (redis !== undefined) {
    // Labels take the same loss-free path, in a journal tree of their own (SPOOL_DIR/labels) and as label-batch jobs.
    labelLogger = createLabelLogger({
      ...journaledStream(config, redis),
      events: {
        adopted: (instance, segments) => logger.info("adopted a dead API instance's label journal; replaying it", { instance, segments }),
        journalFailed: (error) =>
          logger.error('the label journal cannot be written: labels are kept in memory only until Redis takes them', { error: error.message }),
        enqueued: (records) => metrics.labelRecordsEnqueued.inc(records),
        spooled: (records) => metrics.labelRecordsSpooled.inc(records),
        replayed: (records) => metrics.labelRecordsReplayed.inc(records),
        dropped: (records, reason) => {
          metrics.labelRecordsDropped.inc(records);
          logger.error('labels dropped', { records, reason });
        },
        enqueueFailed: (records, error) => logger.warn('label batch not enqueued; it waits in the journal', { records, error: error.message }),
      },
    });
  }

  // A challenger beside the champion: loaded and checked now, fed after each answer.
  const shadow = await startShadow({
    config,
    stream: redis ? journaledStream(config, redis) : undefined,
    redis,
    metrics,
    logger: logger.child({ component: 'shadow' }),
  });

  // From the monitoring store: the SQLite file, or with MONITORING_STORE=postgres the audit, which holds every host's labels.
  const labelReader = openLabelReader(config);
  // Fitted once at start: a broken quality reference, or a missing one QUALITY_REFERENCE_PATH names, stops start-up with a message
  // naming it; none beside the model with the variable unset leaves the estimates null (unavailable) and the rest running.
  const { calibrator } = loadQualityCalibration(config);
  const qualityReader = openQualityReader(config);
  const performance = new PerformanceService(qualityReader, calibrator);
  const compare = openCompare(config, 'unavailable' in calibrator ? undefined : calibrator, shadow?.scorer.version);
  const alerting = createApiAlerting({ settings: config, redis, registry: metrics.registry, logger: logger.child({ component: 'alerts' }) });

  // The logger's progress goes to Redis every second (best effort); completeness compares every instance's with the store.
  const instancesKey = queueNames(config.queueName).instances;
  const progressOf = predictionLogger;
  const reporter = redis && progressOf ? startInstanceReporter({ connection: redis, key: instancesKey, progress: () => progressOf.progress() }) : undefined;
  const reportsFrom = redis;
  const completeness =
    reportsFrom &&
    new CompletenessService({ ranges: () => reader.seqRanges(), reports: () => readInstanceReports(reportsFrom, instancesKey) }, config.completenessGraceMs);

  // vigil_queue_*, vigil_drift_*, vigil_records_* and vigil_quality_* are read when scraped, through short caches.
  readAtScrape({ metrics, logger, queue, drift, completeness, performance });
  // Redis away is not a reason to leave the rotation while the journal keeps the records (see readiness-checks).
  const readiness = new Readiness({
    model: modelLoaded,
    ...(predictionLogger ? loggerChecks(predictionLogger) : {}),
    ...(labelLogger ? { label_journal: journalCheck(labelLogger) } : {}),
  });
  const app = createApp({
    model,
    shadow: shadow?.scorer,
    predictionLogger,
    labelLogger,
    labels: labelReader,
    performance,
    monitoring: new MonitoringService(reader),
    drift,
    alerting,
    metrics,
    logger,
    readiness,
    bodyLimitBytes: config.bodyLimitBytes,
    maxInstancesPerRequest: config.maxInstancesPerRequest,
    security: config, // Config fits SecurityOptions: keys, rate limit, trusted proxies, HSTS
    // One budget per client across replicas; without Redis (logging off) each process counts alone.
    sharedRateLimit: redis ? { redis, keyPrefix: queueNames(config.queueName).rateLimitPrefix } : undefined,
    redactFeatures,
    deadLetters,
    queue,
    timeseries: new TimeseriesService(reader),
    completeness,
    compare,
    exportSource,
  });

  const server = app.listen(config.port, config.host);
  // Requests Node's HTTP parser refuses (bad bytes in the URL, huge headers) never reach
  // Express; answer them in the same JSON shape instead of a bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    socket.end(rawErrorResponse(status, errorBody('INVALID_REQUEST', 'The HTTP request could not be parsed', { reason: error.code ?? 'unknown' })));
  });
  // From the start of a shutdown (the grace included) every answer says Connection: close: a client's
  // busy keep-alive connection ends after its request, so it neither keeps the server open nor keeps
  // bypassing a load balancer that already routes elsewhere.
  let draining = false;
  server.prependListener('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
  });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  logger.info('api listening', {
    port,
    model_version: model.version,
    prediction_logging: config.predictionLogging,
    queue: config.queueName,
    instance: predictionLogger?.instanceId,
  });

  let closing: Promise<void> | undefined;
  const grace = shutdownGrace();
  return {
    port,
    server,
    close(options = {}) {
      // Out of the rotation first: load balancers see /readyz 503 and stop sending while we still answer.
      readiness.beginShutdown();
      draining = true;
      grace.shorten(options.graceMs ?? 0);
      closing ??= (async () => {
        if (grace.pending) logger.info('api shutting down: /readyz answers 503, still serving', { grace_ms: options.graceMs });
        await grace.elapsed();
        // Stop accepting; keep-alive sockets close once their request is answered (Connection: close).
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // A client that never reads its answer must not hold the shutdown forever.
        const deadline = setTimeout(() => server.closeAllConnections(), 10_000);
        await stopped;
        clearTimeout(deadline);
        await predictionLogger?.close();
        await labelLogger?.close();
        await shadow?.close(); // scores what waits, then flushes its journal to Redis
        await reporter?.stop(); // after the flush: the last report's backlog is what is left on disk
        await deadLetters?.close();
        await queue?.close();
        await alerting.close();
        redis?.disconnect();
        await reader.close();
        // A Postgres reader's close ends its pool (async); a SQLite one's is synchronous.
        await labelReader.close();
        await qualityReader.close();
        await exportSource.close();
        await compare?.close();
        await model.close();
        logger.info('api stopped');
      })();
      return closing;
    },
  };
}
