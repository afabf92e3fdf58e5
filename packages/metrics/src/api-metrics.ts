import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds, from 0.25 ms to 5 s: /predict usually takes about a millisecond, and the tail matters. */
export const LATENCY_BUCKETS_SECONDS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The API's metrics, in a registry of its own (tests run several apps in one
 * process). Labels stay low-cardinality: model version, class, route, status.
 */
export function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'vigil_http_requests_total',
      help: 'HTTP requests answered, by route and status code.',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    predictionLatency: new Histogram({
      name: 'vigil_prediction_latency_seconds',
      help: 'Server-side time to validate and score one /predict request.',
      labelNames: ['model_version'] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
    predictions: new Counter({
      name: 'vigil_predictions_total',
      help: 'Predictions served, by model version and predicted class (fraud, non_fraud).',
      labelNames: ['model_version', 'class'] as const,
      registers: [registry],
    }),
    probability: new Histogram({
      name: 'vigil_prediction_probability',
      help: 'Distribution of the predicted fraud probability.',
      labelNames: ['model_version'] as const,
      buckets: [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
      registers: [registry],
    }),
    logRecordsEnqueued: new Counter({
      name: 'vigil_log_records_enqueued_total',
      help: 'Prediction log records handed to the Redis queue.',
      registers: [registry],
    }),
    logRecordsEnqueueFailed: new Counter({
      name: 'vigil_log_records_enqueue_failed_total',
      help: 'Prediction log records whose enqueue to Redis failed (they go to the spool when one is configured).',
      registers: [registry],
    }),
    logRecordsSpooled: new Counter({
      name: 'vigil_log_records_spooled_total',
      help: 'Prediction log records written to the disk spool because Redis could not take them.',
      registers: [registry],
    }),
    logRecordsReplayed: new Counter({
      name: 'vigil_log_records_replayed_total',
      help: 'Spooled log records replayed into the Redis queue.',
      registers: [registry],
    }),
    logRecordsDropped: new Counter({
      name: 'vigil_log_records_dropped_total',
      help: 'Log records neither enqueued nor spooled (spool full or disk unwritable). Should stay 0.',
      registers: [registry],
    }),
    spoolBytes: new Gauge({
      name: 'vigil_spool_bytes',
      help: 'Bytes waiting in the disk spool.',
      registers: [registry],
    }),
    logBatchSize: new Histogram({
      name: 'vigil_log_batch_records',
      help: 'Records per log batch handed to the queue.',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
      registers: [registry],
    }),
    logEnqueueLatency: new Histogram({
      name: 'vigil_log_enqueue_seconds',
      help: 'Time to add one log batch to the Redis queue.',
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
