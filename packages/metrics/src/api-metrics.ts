import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerDefaultMetrics } from './default-metrics';
import { qualityGauges, type QualitySnapshot } from './quality-metrics';
import { withZeroSeries } from './zero-series';

/** Seconds, from 0.25 ms to 5 s: /predict usually takes about a millisecond, and the tail matters. */
export const LATENCY_BUCKETS_SECONDS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The log queue as the API reads it from Redis when scraped. */
export interface QueueSnapshot {
  /** Jobs (log batches) by BullMQ state: waiting, active, delayed, prioritized, paused, waiting-children, completed, failed. */
  readonly counts: Readonly<Record<string, number>>;
  /** How long the next job to be processed has waited, in seconds; 0 when none waits. */
  readonly oldestWaitingSeconds: number;
  /** Entries in the dead-letter queue, waiting for an operator. */
  readonly deadLetters: number;
}

/** The latest drift verdicts, per input feature and model output. */
export interface DriftSnapshot {
  /** Rows of the window the statistics were computed from. */
  readonly rowsCompared: number;
  /** Features with a verdict (skipped ones are left out). */
  readonly features: readonly { readonly feature: string; readonly test: string; readonly statistic: number; readonly drift: boolean }[];
}

/** Records of every API instance by where they are (the totals of /monitoring/completeness). */
export interface CompletenessSnapshot {
  readonly served: number;
  readonly stored: number;
  readonly inFlight: number;
  readonly spooled: number;
  readonly deadLettered: number;
  readonly missing: number;
}

/** Reads a scrape makes outside the process (see {@link scrapeCache} for keeping them fast). */
export interface ScrapeSources {
  readonly queue?: (() => Promise<QueueSnapshot | undefined>) | undefined;
  readonly drift?: (() => Promise<DriftSnapshot | undefined>) | undefined;
  readonly completeness?: (() => Promise<CompletenessSnapshot | undefined>) | undefined;
  /** Model quality per version; undefined where the monitoring store keeps no quality rollups (Postgres). */
  readonly quality?: (() => Promise<QualitySnapshot | undefined>) | undefined;
}

/** The sources a failed scrape-time read is counted under. */
export const SCRAPE_SOURCES = ['queue', 'drift', 'completeness', 'quality'] as const;
export type ScrapeSource = (typeof SCRAPE_SOURCES)[number];

/**
 * The API's metrics, in a registry of its own (tests run several apps in one
 * process). Labels stay low-cardinality: model version, class, route, status,
 * queue state, feature name; never ids or feature values.
 */
export function createApiMetrics() {
  const registry = new Registry();
  registerDefaultMetrics(registry);
  // Set once start-up has built the queue and the drift service; read at each scrape.
  let sources: ScrapeSources = {};
  return {
    registry,
    /** Gives the scrape-time gauges (queue, drift) their sources; until then they have no samples. */
    setScrapeSources(next: ScrapeSources): void {
      sources = next;
    },
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
    labelRecordsEnqueued: new Counter({
      name: 'vigil_label_records_enqueued_total',
      help: 'Labels (POST /feedback) handed to the Redis queue as label-batch jobs.',
      registers: [registry],
    }),
    labelRecordsSpooled: new Counter({
      name: 'vigil_label_records_spooled_total',
      help: 'Labels left in the label journal because Redis could not take them (replayed later).',
      registers: [registry],
    }),
    labelRecordsReplayed: new Counter({
      name: 'vigil_label_records_replayed_total',
      help: 'Labels replayed from the label journal into the Redis queue.',
      registers: [registry],
    }),
    labelRecordsDropped: new Counter({
      name: 'vigil_label_records_dropped_total',
      help: 'Labels neither enqueued nor journaled (journal full or unwritable). Should stay 0.',
      registers: [registry],
    }),
    shadowPredictions: new Counter({
      name: 'vigil_shadow_predictions_total',
      help: 'Instances the shadow model (SHADOW_MODEL_PATH) scored off the response path, by its model version.',
      labelNames: ['model_version'] as const,
      registers: [registry],
    }),
    shadowSkipped: withZeroSeries(
      new Counter({
        name: 'vigil_shadow_skipped_total',
        help: 'Instances the shadow model did not score: behind (its queue was full), invalid (outside its spec), failed (inference error).',
        labelNames: ['reason'] as const,
        registers: [registry],
      }),
      [{ reason: 'behind' }, { reason: 'invalid' }, { reason: 'failed' }],
    ),
    shadowLatency: new Histogram({
      name: 'vigil_shadow_inference_seconds',
      help: "Time of one shadow session.run (a batch of requests' instances), off the response path.",
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
    spoolBytes: new Gauge({
      name: 'vigil_spool_bytes',
      help: "Bytes of log batches waiting for Redis in this API's journal (its backlog and the journals it adopted).",
      registers: [registry],
    }),
    spoolForeignSegments: new Gauge({
      name: 'vigil_spool_foreign_segments',
      help: 'Journal segments on SPOOL_DIR left by dead API instances of another queue or Redis: this API leaves them alone. Should stay 0.',
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
    queueJobs: new Gauge({
      name: 'vigil_queue_jobs',
      help: 'Jobs (log batches) in the log queue, by BullMQ state; read from Redis at scrape time (cached 1 s). Every replica reports the same queue.',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const snapshot = await sources.queue?.();
        this.reset();
        for (const [state, count] of Object.entries(snapshot?.counts ?? {})) this.set({ state }, count);
      },
    }),
    queueOldestWaiting: new Gauge({
      name: 'vigil_queue_oldest_waiting_seconds',
      help: 'How long the next log batch to be processed has waited in the queue (0 when none waits; NaN when Redis could not be read).',
      registers: [registry],
      async collect() {
        const snapshot = await sources.queue?.();
        this.set(snapshot === undefined ? Number.NaN : snapshot.oldestWaitingSeconds);
      },
    }),
    deadLetters: new Gauge({
      name: 'vigil_dead_letter_jobs',
      help: 'Entries waiting in the dead-letter queue for an operator (NaN when Redis could not be read).',
      registers: [registry],
      async collect() {
        const snapshot = await sources.queue?.();
        this.set(snapshot === undefined ? Number.NaN : snapshot.deadLetters);
      },
    }),
    driftStatistic: new Gauge({
      name: 'vigil_drift_statistic',
      help: 'Drift statistic of the last hour against the training reference, per feature (and model output) and the test that decides it (cached 30 s).',
      labelNames: ['feature', 'test'] as const,
      registers: [registry],
      async collect() {
        const snapshot = await sources.drift?.();
        this.reset();
        for (const f of snapshot?.features ?? []) this.set({ feature: f.feature, test: f.test }, f.statistic);
      },
    }),
    driftDetected: new Gauge({
      name: 'vigil_drift_detected',
      help: '1 when the last hour drifts from the training reference for this feature (or model output), else 0 (cached 30 s).',
      labelNames: ['feature'] as const,
      registers: [registry],
      async collect() {
        const snapshot = await sources.drift?.();
        this.reset();
        for (const f of snapshot?.features ?? []) this.set({ feature: f.feature }, f.drift ? 1 : 0);
      },
    }),
    driftRowsCompared: new Gauge({
      name: 'vigil_drift_rows_compared',
      help: 'Rows of the last hour the drift statistics were computed from (NaN when unknown).',
      registers: [registry],
      async collect() {
        const snapshot = await sources.drift?.();
        this.set(snapshot === undefined ? Number.NaN : snapshot.rowsCompared);
      },
    }),
    ...completenessGauges(registry, () => sources.completeness?.()),
    ...qualityGauges(registry, () => sources.quality?.()),
    scrapeSourceFailures: withZeroSeries(
      new Counter({
        name: 'vigil_scrape_source_failures_total',
        help:
          'Scrape-time reads that failed, by source (queue: Redis, drift and quality: the monitoring store, completeness: both); ' +
          'their metrics are left out until the source answers.',
        labelNames: ['source'] as const,
        registers: [registry],
      }),
      SCRAPE_SOURCES.map((source) => ({ source })),
    ),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/**
 * vigil_records_*: the completeness totals over every API instance, read at
 * scrape time (NaN when unknown). Totals only: instance ids are unbounded,
 * and /monitoring/completeness names the instance.
 */
function completenessGauges(registry: Registry, read: () => Promise<CompletenessSnapshot | undefined> | undefined) {
  const gauge = (name: string, help: string, field: keyof CompletenessSnapshot) =>
    new Gauge({
      name,
      help: `${help} (all API instances; from the monitoring store and the instances' reports, cached 5 s; NaN when unknown).`,
      registers: [registry],
      async collect() {
        const snapshot = await read();
        this.set(snapshot === undefined ? Number.NaN : snapshot[field]);
      },
    });
  return {
    recordsServed: gauge('vigil_records_served', 'Prediction records the API instances numbered', 'served'),
    recordsStored: gauge('vigil_records_stored', 'Of those, records in the monitoring store', 'stored'),
    recordsInFlight: gauge('vigil_records_in_flight', 'Of those, records served within the grace period and not stored yet', 'inFlight'),
    recordsSpooled: gauge('vigil_records_spooled', "Of those, records in an instance's journal waiting for Redis", 'spooled'),
    recordsDeadLettered: gauge('vigil_records_dead_lettered', 'Of those, records held back in the dead-letter queue', 'deadLettered'),
    recordsMissing: gauge(
      'vigil_records_missing',
      'Of those, records served longer than the grace period ago that nothing accounts for: should stay 0',
      'missing',
    ),
  };
}
