import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import type { Config } from '@vigil/config';
import { createApiMetrics, createLogger } from '@vigil/metrics';
import { loadModel } from '@vigil/model';
import { MonitoringService } from '@vigil/monitoring';
import { createPredictionLogger, type PredictionLogger } from '@vigil/prediction-log';
import { PostgresStore, SqliteReader, type MonitoringReader } from '@vigil/stores';
import { createApp } from './create-app';

export interface RunningApi {
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, answers what is in flight, flushes the log batcher, closes connections. */
  close(): Promise<void>;
}

async function openMonitoringReader(config: Config): Promise<MonitoringReader> {
  if (config.monitoringStore === 'postgres') {
    if (config.auditDatabaseUrl === undefined) throw new Error('MONITORING_STORE=postgres needs AUDIT_DATABASE_URL');
    return PostgresStore.open({ connectionString: config.auditDatabaseUrl, schema: config.auditSchema });
  }
  return SqliteReader.open(config.sqlitePath);
}

/** Builds the API from a validated config and listens on config.port. */
export async function startApi(config: Config): Promise<RunningApi> {
  const logger = createLogger('api', config.logLevel);
  const metrics = createApiMetrics();
  const model = await loadModel({ modelPath: config.modelPath, specPath: config.modelSpecPath });
  const reader = await openMonitoringReader(config);

  let redis: Redis | undefined;
  let predictionLogger: PredictionLogger | undefined;
  if (config.predictionLogging) {
    // Fail fast while Redis is away instead of queueing commands in memory:
    // a failed enqueue is counted (and spooled), a queued one grows the heap.
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', () => undefined);
    // Give Redis a moment so the first predictions go to the queue; if it is
    // down, start anyway: predictions are served and their records spooled.
    await Promise.race([once(redis, 'ready'), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    predictionLogger = createPredictionLogger({
      connection: redis,
      queueName: config.queueName,
      maxBatchRecords: config.logBatchMaxRecords,
      maxBatchWaitMs: config.logBatchMaxWaitMs,
      events: {
        enqueued: (records, seconds) => {
          metrics.logRecordsEnqueued.inc(records);
          metrics.logBatchSize.observe(records);
          metrics.logEnqueueLatency.observe(seconds);
        },
        enqueueFailed: (records, error) => {
          metrics.logRecordsEnqueueFailed.inc(records);
          logger.warn('log batch not enqueued', { records, error: error.message });
        },
      },
    });
  }

  const app = createApp({
    model,
    predictionLogger,
    monitoring: new MonitoringService(reader),
    metrics,
    logger,
    readiness: {
      model: async () => true,
      ...(redis ? { redis: async () => (await redis.ping()) === 'PONG' } : {}),
    },
    bodyLimitBytes: config.bodyLimitBytes,
    maxInstancesPerRequest: config.maxInstancesPerRequest,
  });

  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  logger.info('api listening', { port, model_version: model.version, prediction_logging: config.predictionLogging, queue: config.queueName });

  let closing: Promise<void> | undefined;
  return {
    port,
    server,
    close() {
      closing ??= (async () => {
        // Stop accepting; keep-alive sockets close once their request is answered.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await stopped;
        await predictionLogger?.close();
        redis?.disconnect();
        await reader.close();
        await model.close();
        logger.info('api stopped');
      })();
      return closing;
    },
  };
}
