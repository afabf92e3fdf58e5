import { UnrecoverableError, type Job } from 'bullmq';
import { isPermanentError } from '@vigil/errors';
import type { Logger, WorkerMetrics } from '@vigil/metrics';
import type { PredictionRecord } from '@vigil/records';
import type { DeadLetterQueue } from '../../dead-letter-queue';
import { logBatchRecords, parseLogBatch, type LogBatchPayload } from './definition';

/** What the handler reads of a job: BullMQ's Job fits, and so does a plain value in a test. */
export type LogBatchJob = Pick<Job<LogBatchPayload>, 'id' | 'data'>;
import { WriteCoalescer } from '../write-coalescer';

/**
 * Where the handler writes a batch: the worker's SqliteWriter. An interface,
 * so this package (which the API's producer also depends on) never pulls in
 * a store driver. Either call throws a PermanentError `STORE_REJECTED_DATA`
 * when the store refuses the data itself (a constraint, a type, a size), as
 * opposed to being busy, full or gone: retrying the same rows cannot help.
 */
export interface LogBatchSink {
  /** Writes the records in one transaction; returns (or resolves with) the rows it added. */
  insertBatch(records: readonly PredictionRecord[]): number | Promise<number>;
  /**
   * Writes the batches in one transaction, all or none; returns each one's
   * new rows, or a promise of them (the worker writes on a thread of its own).
   */
  insertBatches(batches: readonly (readonly PredictionRecord[])[]): number[] | Promise<number[]>;
  /**
   * True when the sink joins the batches it is handed into transactions
   * itself (the insert thread does, up to a bound): the handler then hands
   * each batch over as its job comes, instead of grouping them first.
   */
  readonly joinsBatches?: boolean;
  /**
   * Accounts for dead-lettered records by instance and seq, so completeness
   * counts them as held back rather than missing. Optional: a sink without
   * it dead-letters as before.
   */
  recordDeadLettered?(records: readonly unknown[]): void;
}

export interface LogBatchHandlerOptions {
  readonly sink: LogBatchSink;
  /** Called once a batch's rows are written (the worker wakes its audit shipper). */
  readonly onWritten?: (() => void) | undefined;
  readonly deadLetters: Pick<DeadLetterQueue, 'add'>;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
}

/**
 * Handles one log batch: parse, dead-letter the records that can never be
 * stored, write the rest to SQLite in one transaction, then nudge the audit
 * shipper. Any other throw makes BullMQ retry the job with backoff; rows
 * already written are skipped on the retry (ON CONFLICT on prediction_id).
 */
export function logBatchHandler(options: LogBatchHandlerOptions) {
  const { sink, onWritten, deadLetters, metrics, logger } = options;
  const coalescer = new WriteCoalescer<PredictionRecord>((batches) => sink.insertBatches(batches));
  // A sink that joins batches itself gets each as it comes; grouping here first would hold all of them for one transaction.
  const write =
    sink.joinsBatches === true
      ? async (records: readonly PredictionRecord[]) => (await sink.insertBatches([records]))[0]!
      : (records: readonly PredictionRecord[]) => coalescer.write(records);

  type Problem = { index: number; problem: string };
  async function deadLetter(kind: 'rejected-records' | 'store-rejected-records', job: LogBatchJob, reason: string, problems: Problem[], records: unknown[]) {
    // Accounted first: if that throws, the job is retried and no entry was added; accounting twice changes nothing.
    sink.recordDeadLettered?.(records);
    const id = await deadLetters.add({ kind, source_job_id: job.id, reason, problems, records });
    metrics.deadLettered.inc({ kind }, records.length);
    logger.warn('records dead-lettered', { dead_letter_id: id, kind, job_id: job.id, count: records.length, reason });
  }

  /** One record at a time, so the one the store refuses does not hold back the others. */
  async function insertEachAlone(job: LogBatchJob, records: readonly PredictionRecord[]): Promise<number> {
    let written = 0;
    const refused: { record: PredictionRecord; problem: string }[] = [];
    for (const record of records) {
      try {
        written += await sink.insertBatch([record]);
      } catch (error) {
        if (!isPermanentError(error)) throw error;
        refused.push({ record, problem: error.message });
      }
    }
    if (refused.length > 0) {
      const problems = refused.map((r, index) => ({ index, problem: r.problem }));
      await deadLetter(
        'store-rejected-records',
        job,
        'SQLite refused these records',
        problems,
        refused.map((r) => r.record),
      );
    }
    return written;
  }

  return async (job: LogBatchJob): Promise<{ written: number; rejected: number }> => {
    const data: unknown = job.data;
    const { records, problems } = parseLogBatch(data);
    if (problems.length > 0) {
      const indexed = problems.map((p, index) => ({ index, problem: p.problem }));
      await deadLetter(
        'rejected-records',
        job,
        problems[0]?.problem ?? 'invalid',
        indexed,
        problems.map((p) => p.received),
      );
      if (problems.some((p) => p.index < 0)) {
        throw new UnrecoverableError(`log batch payload rejected: ${problems[0]?.problem}`);
      }
    }
    const started = performance.now();
    let written: number;
    try {
      written = await write(records);
    } catch (error) {
      if (!isPermanentError(error)) throw error;
      written = await insertEachAlone(job, records);
    }
    metrics.writeLatency.observe({ store: 'sqlite' }, (performance.now() - started) / 1000);
    metrics.recordsWritten.inc({ store: 'sqlite' }, written);
    onWritten?.();
    return { written, rejected: problems.length };
  };
}

/**
 * A batch that failed every attempt (SQLite unwritable for a long time, say)
 * moves whole to the dead-letter queue, where a person can replay it.
 */
export function deadLetterExhaustedJob(
  deadLetters: Pick<DeadLetterQueue, 'add'>,
  metrics: WorkerMetrics,
  logger: Logger,
  sink?: Pick<LogBatchSink, 'recordDeadLettered'>,
) {
  return async (job: Job<LogBatchPayload> | undefined, error: Error): Promise<void> => {
    if (job === undefined || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    // In record shape whatever the payload version, so a person can read and replay them.
    const records = logBatchRecords(job.data) ?? [job.data];
    try {
      sink?.recordDeadLettered?.(records);
    } catch (accountError) {
      // Likely the very store that failed the batch: the entry matters more; until replayed, these count as missing.
      logger.warn('could not account for a dead-lettered batch', { job_id: job.id, error: (accountError as Error).message });
    }
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
