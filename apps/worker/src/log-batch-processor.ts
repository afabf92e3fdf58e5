import { UnrecoverableError, type Job } from 'bullmq';
import type { DeadLetterQueue } from '@vigil/dead-letters';
import type { Logger, WorkerMetrics } from '@vigil/metrics';
import { logBatchRecords, parseLogBatch, type LogBatchPayload, type PredictionRecord } from '@vigil/prediction-log';
import type { AuditShipper, SqliteWriter } from '@vigil/stores';
import { WriteCoalescer } from './write-coalescer';

export interface LogBatchProcessorOptions {
  readonly sqlite: SqliteWriter;
  readonly shipper: AuditShipper | undefined;
  readonly deadLetters: DeadLetterQueue;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
}

/**
 * SQLite refused the data itself (a constraint, a type, a size), as opposed
 * to the database being busy, full or gone: retrying the same rows cannot help.
 */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
}

/**
 * Handles one log batch: parse, dead-letter the records that can never be
 * stored, write the rest to SQLite in one transaction, then nudge the audit
 * shipper. Any other throw makes BullMQ retry the job with backoff; rows
 * already written are skipped on the retry (ON CONFLICT on prediction_id).
 */
export function logBatchProcessor(options: LogBatchProcessorOptions) {
  const { sqlite, shipper, deadLetters, metrics, logger } = options;
  const coalescer = new WriteCoalescer((batches) => sqlite.insertBatches(batches));

  async function deadLetter(kind: 'rejected-records' | 'store-rejected-records', job: Job, reason: string, problems: { index: number; problem: string }[], records: unknown[]) {
    const id = await deadLetters.add({ kind, source_job_id: job.id, reason, problems, records });
    metrics.deadLettered.inc({ kind }, records.length);
    logger.warn('records dead-lettered', { dead_letter_id: id, kind, job_id: job.id, count: records.length, reason });
  }

  /** One record at a time, so the one the store refuses does not hold back the others. */
  async function insertEachAlone(job: Job, records: readonly PredictionRecord[]): Promise<number> {
    let written = 0;
    const refused: { record: PredictionRecord; problem: string }[] = [];
    for (const record of records) {
      try {
        written += sqlite.insertBatch([record]);
      } catch (error) {
        if (!isDataError(error)) throw error;
        refused.push({ record, problem: (error as Error).message });
      }
    }
    if (refused.length > 0) {
      await deadLetter('store-rejected-records', job, 'SQLite refused these records', refused.map((r, index) => ({ index, problem: r.problem })), refused.map((r) => r.record));
    }
    return written;
  }

  return async (job: Job<LogBatchPayload>): Promise<{ written: number; rejected: number }> => {
    const data: unknown = job.data;
    const { records, problems } = parseLogBatch(data);
    if (problems.length > 0) {
      await deadLetter('rejected-records', job, problems[0]?.problem ?? 'invalid', problems.map((p, index) => ({ index, problem: p.problem })), problems.map((p) => p.received));
      if (problems.some((p) => p.index < 0)) {
        throw new UnrecoverableError(`log batch payload rejected: ${problems[0]?.problem}`);
      }
    }
    const started = performance.now();
    let written: number;
    try {
      written = await coalescer.write(records);
    } catch (error) {
      if (!isDataError(error)) throw error;
      written = await insertEachAlone(job, records);
    }
    metrics.writeLatency.observe({ store: 'sqlite' }, (performance.now() - started) / 1000);
    metrics.recordsWritten.inc({ store: 'sqlite' }, written);
    shipper?.wake();
    return { written, rejected: problems.length };
  };
}

/**
 * A batch that failed every attempt (SQLite unwritable for a long time, say)
 * moves whole to the dead-letter queue, where a person can replay it.
 */
export function deadLetterExhaustedJob(deadLetters: DeadLetterQueue, metrics: WorkerMetrics, logger: Logger) {
  return async (job: Job<LogBatchPayload> | undefined, error: Error): Promise<void> => {
    if (job === undefined || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    // In record shape whatever the payload version, so a person can read and replay them.
    const records = logBatchRecords(job.data) ?? [job.data];
    try {
      const id = await deadLetters.add({ kind: 'failed-batch', source_job_id: job.id, reason: error.message, problems: [], records });
      await job.remove();
      metrics.deadLettered.inc({ kind: 'failed-batch' }, records.length);
      logger.error('log batch failed every attempt; dead-lettered', { dead_letter_id: id, job_id: job.id, records: records.length, error: error.message });
    } catch (moveError) {
      // It stays in the log queue's failed set, which the dead-letter tools also read.
      logger.error('could not dead-letter a failed batch', { job_id: job.id, error: (moveError as Error).message });
    }
  };
}
