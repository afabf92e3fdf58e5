import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerDefaultMetrics } from './default-metrics';
import { LATENCY_BUCKETS_SECONDS } from './api-metrics';
import { withZeroSeries } from './zero-series';

/** Every kind of dead letter the worker makes (see DeadLetterKind in @vigil/queue). */
const DEAD_LETTER_KINDS = ['rejected-records', 'store-rejected-records', 'failed-batch'] as const;

/** The worker's metrics, in a registry of its own. */
export function createWorkerMetrics() {
  const registry = new Registry();
  registerDefaultMetrics(registry);
  return {
    registry,
    recordsWritten: withZeroSeries(
      new Counter({
        name: 'vigil_worker_records_written_total',
        help: 'Rows newly written, by store (sqlite, postgres). Redelivered records are not counted again.',
        labelNames: ['store'] as const,
        registers: [registry],
      }),
      [{ store: 'sqlite' }],
    ),
    writeLatency: new Histogram({
      name: 'vigil_worker_write_seconds',
      help: 'Time to write one batch, by store.',
      labelNames: ['store'] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
    deadLettered: withZeroSeries(
      new Counter({
        name: 'vigil_dead_lettered_records_total',
        help: 'Records moved to the dead-letter queue, by kind (rejected-records, store-rejected-records, failed-batch).',
        labelNames: ['kind'] as const,
        registers: [registry],
      }),
      DEAD_LETTER_KINDS.map((kind) => ({ kind })),
    ),
    auditWriteFailures: new Counter({
      name: 'vigil_audit_write_failures_total',
      help: 'Failed attempts to write a batch to the Postgres audit (each is retried).',
      registers: [registry],
    }),
    auditLagSeconds: new Gauge({
      name: 'vigil_audit_lag_seconds',
      help: 'Age of the oldest row in SQLite not yet in the Postgres audit (0 when none).',
      registers: [registry],
    }),
    auditBacklog: new Gauge({
      name: 'vigil_audit_backlog_records',
      help: 'Rows in SQLite not yet in the Postgres audit.',
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
