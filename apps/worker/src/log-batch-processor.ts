import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Logger, WorkerMetrics } from '@vigil/metrics';
import { parseLogBatch, type LogBatchPayload } from '@vigil/prediction-log';
import type { AuditShipper, SqliteWriter } from '@vigil/stores';

export interface LogBatchProcessorOptions {
  readonly sqlite: SqliteWriter;
  readonly shipper: AuditShipper | undefined;
  /** Where records that can never be stored go, whole, with the reason: a person can read and replay them. */
  readonly deadLetters: Queue;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
}

/**
 * Handles one log batch: parse, dead-letter the records that can never be
 * stored, write the rest to SQLite in one transaction, then nudge the audit
 * shipper. A throw makes BullMQ retry the job with backoff; rows already
 * written are skipped on the retry (ON CONFLICT on prediction_id).
 */
export function logBatchProcessor(options: LogBatchProcessorOptions) {
  const { sqlite, shipper, deadLetters, metrics, logger } = options;
  return async (job: Job<LogBatchPayload>): Promise<{ written: number; rejected: number }> => {
    const { records, problems } = parseLogBatch(job.data);
    if (problems.length > 0) {
      const data: unknown = job.data;
      const raw: readonly unknown[] = Array.isArray((data as { records?: unknown }).records) ? (data as { records: unknown[] }).records : [data];
      await deadLetters.add('rejected-records', {
        source_job_id: job.id,
        queue: job.queueName,
        problems,
        records: problems.map((p) => (p.index >= 0 ? raw[p.index] : data)),
        rejected_at: new Date().toISOString(),
      });
      metrics.recordsRejected.inc(problems.length);
      logger.warn('records dead-lettered', { job_id: job.id, count: problems.length, first_problem: problems[0]?.problem });
      if (records.length === 0 && problems.some((p) => p.index < 0)) {
        throw new UnrecoverableError(`log batch payload rejected: ${problems[0]?.problem}`);
      }
    }
    const started = performance.now();
    const written = sqlite.insertBatch(records);
    metrics.writeLatency.observe({ store: 'sqlite' }, (performance.now() - started) / 1000);
    metrics.recordsWritten.inc({ store: 'sqlite' }, written);
    shipper?.wake();
    return { written, rejected: problems.length };
  };
}
