import { UnrecoverableError, type Job } from 'bullmq';
import { isPermanentError } from '@vigil/errors';
import type { Logger, WorkerMetrics } from '@vigil/metrics';
import type { LabelRecord } from '@vigil/records';
import type { DeadLetterQueue } from '../../dead-letter-queue';
import { WriteCoalescer } from '../write-coalescer';
import { labelBatchRecords, parseLabelBatch, type LabelBatchPayload } from './definition';

export type LabelBatchJob = Pick<Job<LabelBatchPayload>, 'id' | 'data'>;

/**
 * Where the handler writes labels: the worker's SqliteWriter. Throws a
 * PermanentError `STORE_REJECTED_DATA` when SQLite refuses the data itself.
 */
export interface LabelBatchSink {
  /** Writes the labels in one transaction; returns the label versions it added (a redelivered batch adds none). */
  insertLabels(labels: readonly LabelRecord[]): number;
  /** Several batches in one transaction, all or none; each batch's new versions. */
  insertLabelBatches(batches: readonly (readonly LabelRecord[])[]): number[];
}

export interface LabelBatchHandlerOptions {
  readonly sink: LabelBatchSink;
  /** Called once a batch is written (the worker wakes its audit shipper). */
  readonly onWritten?: (() => void) | undefined;
  readonly deadLetters: Pick<DeadLetterQueue, 'add'>;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
}

/**
 * Handles one label batch as logBatchHandler does a log batch: parse,
 * dead-letter what can never be stored, write the rest in one SQLite
 * transaction (shared with the other batches held at once). Any other throw makes BullMQ retry; the stores are
 * idempotent on the label's id, so a retry adds nothing twice.
 */
export function labelBatchHandler(options: LabelBatchHandlerOptions) {
  const { sink, onWritten, deadLetters, metrics, logger } = options;
  // The label batches the worker holds at once share one transaction, as log batches do.
  const coalescer = new WriteCoalescer<LabelRecord>((batches) => sink.insertLabelBatches(batches));

  async function deadLetter(kind: 'rejected-records' | 'store-rejected-records', job: LabelBatchJob, reason: string, problems: string[], records: unknown[]) {
    const id = await deadLetters.add({
      kind,
      stream: 'labels',
      source_job_id: job.id,
      reason,
      problems: problems.map((problem, index) => ({ index, problem })),
      records,
    });
    metrics.deadLettered.inc({ kind }, records.length);
    logger.warn('labels dead-lettered', { dead_letter_id: id, kind, job_id: job.id, count: records.length, reason });
  }

  return async (job: LabelBatchJob): Promise<{ written: number; rejected: number }> => {
    const { labels, problems } = parseLabelBatch(job.data);
    if (problems.length > 0) {
      await deadLetter(
        'rejected-records',
        job,
        problems[0]?.problem ?? 'invalid',
        problems.map((p) => p.problem),
        problems.map((p) => p.received),
      );
      if (problems.some((p) => p.index < 0)) throw new UnrecoverableError(`label batch payload rejected: ${problems[0]?.problem}`);
    }
    let written = 0;
    try {
      written = await coalescer.write(labels);
    } catch (error) {
      if (!isPermanentError(error)) throw error;
      // One at a time, so the label SQLite refuses does not hold back the others.
      const refused: { label: LabelRecord; problem: string }[] = [];
      for (const label of labels) {
        try {
          written += sink.insertLabels([label]);
        } catch (alone) {
          if (!isPermanentError(alone)) throw alone;
          refused.push({ label, problem: alone.message });
        }
      }
      if (refused.length > 0) {
        await deadLetter(
          'store-rejected-records',
          job,
          'SQLite refused these labels',
          refused.map((r) => r.problem),
          refused.map((r) => r.label),
        );
      }
    }
    metrics.recordsWritten.inc({ store: 'sqlite' }, written);
    onWritten?.();
    return { written, rejected: problems.length };
  };
}

/** A label batch that failed every attempt moves whole to the dead-letter queue, marked as labels so a replay puts it back as labels. */
export function deadLetterExhaustedLabelJob(deadLetters: Pick<DeadLetterQueue, 'add'>, metrics: WorkerMetrics, logger: Logger) {
  return async (job: Job<LabelBatchPayload> | undefined, error: Error): Promise<void> => {
    if (job === undefined || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const records = labelBatchRecords(job.data) ?? [job.data];
    try {
      const id = await deadLetters.add({ kind: 'failed-batch', stream: 'labels', source_job_id: job.id, reason: error.message, problems: [], records });
      await job.remove();
      metrics.deadLettered.inc({ kind: 'failed-batch' }, records.length);
      logger.error('label batch failed every attempt; dead-lettered', { dead_letter_id: id, job_id: job.id, records: records.length, error: error.message });
    } catch (moveError) {
      logger.error('could not dead-letter a failed label batch', { job_id: job.id, error: (moveError as Error).message });
    }
  };
}
