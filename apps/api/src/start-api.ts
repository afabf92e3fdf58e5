import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { createApiAlerting } from '@vigil/alerts';
import type { Config } from '@vigil/config';
import { createApiMetrics, createLogger } from '@vigil/metrics';
import { loadModel } from '@vigil/model';
import { MonitoringService, TimeseriesService } from '@vigil/monitoring';
import { createPredictionLogger, DiskSpool, type PredictionLogger } from '@vigil/prediction-log';
import { DeadLetterQueue, QueueInspector } from '@vigil/queue';
import { openMonitoringReader } from '@vigil/stores';
import { createDriftService } from '@vigil/drift';
import { createApp } from './create-app';
import { errorBody, rawErrorResponse } from './error-json';
import { readAtScrape } from './dashboard/scrape-sources';
import { createFeatureRedactor } from './security/redact-features';

export interface RunningApi {
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, answers what is in flight, flushes the log batcher, closes connections. */
  close(): Promise<void>;
}

/** Builds the API from a validated config and listens on config.port. */
export async function startApi(config: Config): Promise<RunningApi> {
  const logger = createLogger('api', config.logLevel);
  const metrics = createApiMetrics();
  const model = await loadModel({ modelPath: config.modelPath, specPath: config.modelSpecPath });
  // Before any connection is opened: a LOG_REDACT_FEATURES typo stops start-up here.
  const redactFeatures = createFeatureRedactor(config, model.spec);
  // Postgres is opened lazily: the API (and /predict) starts while it is down.
  const reader = openMonitoringReader(config);
  // Loaded once at start: a broken drift config or reference stops start-up with a message naming it.
  const drift = createDriftService({ settings: config, spec: model.spec, reader });

  let redis: Redis | undefined;
  let predictionLogger: PredictionLogger | undefined;
  let deadLetters: DeadLetterQueue | undefined;
  let queue: QueueInspector | undefined;
  if (config.predictionLogging) {
    // Fail fast while Redis is away instead of queueing commands in memory:
    // a failed enqueue is counted (and spooled), a queued one grows the heap.
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
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
    // Batches left by an earlier run (or a crashed replica on this host) are adopted and replayed.
    const spool = new DiskSpool({ dir: config.spoolDir, maxBytes: config.spoolMaxBytes });
    metrics.spoolBytes.set(spool.bytes);
    predictionLogger = createPredictionLogger({
      connection: redis,
      queueName: config.queueName,
      maxBatchRecords: config.logBatchMaxRecords,
      maxBatchWaitMs: config.logBatchMaxWaitMs,
      spool,
      events: {
        spooled: (records) => metrics.logRecordsSpooled.inc(records),
        replayed: (records) => metrics.logRecordsReplayed.inc(records),
        spoolBytes: (bytes) => metrics.spoolBytes.set(bytes),
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
          logger.warn('log batch not enqueued; spooling it', { records, error: error.message });
        },
      },
    });
  }

  const alerting = createApiAlerting({ settings: config, redis, registry: metrics.registry });

  // vigil_queue_* and vigil_drift_* are read when scraped, through short caches.
  readAtScrape({ metrics, logger, queue, drift });
  const app = createApp({
    model,
    predictionLogger,
    monitoring: new MonitoringService(reader),
    drift,
    alerting,
    metrics,
    logger,
    readiness: {
      model: async () => true,
      ...(redis ? { redis: async () => (await redis.ping()) === 'PONG' } : {}),
    },
    bodyLimitBytes: config.bodyLimitBytes,
    maxInstancesPerRequest: config.maxInstancesPerRequest,
    security: config, // Config fits SecurityOptions: keys, rate limit, HSTS
    redactFeatures,
    deadLetters,
    queue,
    timeseries: new TimeseriesService(reader),
  });

  const server = app.listen(config.port, config.host);
  // Requests Node's HTTP parser refuses (bad bytes in the URL, huge headers) never reach
  // Express; answer them in the same JSON shape instead of a bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    socket.end(rawErrorResponse(status, errorBody('INVALID_REQUEST', 'The HTTP request could not be parsed', { reason: error.code ?? 'unknown' })));
  });
  // While shutting down, every answer says Connection: close, so a client's busy
  // keep-alive connection ends after its request instead of keeping the server open.
  let draining = false;
  server.prependListener('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
  });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  logger.info('api listening', { port, model_version: model.version, prediction_logging: config.predictionLogging, queue: config.queueName });

  let closing: Promise<void> | undefined;
  return {
    port,
    server,
    close() {
      closing ??= (async () => {
        // Stop accepting; keep-alive sockets close once their request is answered (Connection: close).
        draining = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // A client that never reads its answer must not hold the shutdown forever.
        const deadline = setTimeout(() => server.closeAllConnections(), 10_000);
        await stopped;
        clearTimeout(deadline);
        await predictionLogger?.close();
        await deadLetters?.close();
        await queue?.close();
        await alerting.close();
        redis?.disconnect();
        await reader.close();
        await model.close();
        logger.info('api stopped');
      })();
      return closing;
    },
  };
}
