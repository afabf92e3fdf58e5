import type { Job } from 'bullmq';
import type { PredictionRecord } from '@vigil/records';
import { QueueError } from './errors';
import { LABEL_BATCH_COLUMNS, LABEL_BATCH_JOB, type LabelBatchRow } from './jobs/label-batch/definition';
import { LOG_BATCH_JOB, LOG_BATCH_JOB_OPTIONS, type LogBatchPayload } from './jobs/log-batch/definition';
import { queueNames } from './queue-names';
import { ReadyQueue } from './ready-queue';
import type { RedisConnection } from './redis-connection';

/** Why records ended here: invalid in the worker's eyes, or refused by a store after every retry. */
export type DeadLetterKind = 'rejected-records' | 'failed-batch' | 'store-rejected-records';

/** One dead-letter entry: what was held back, from where, and why. Plain JSON, readable with redis-cli. */
export interface DeadLetter {
  readonly kind: DeadLetterKind;
  /** `labels` for label batches (replayed as a label-batch job); absent for prediction records. */
  readonly stream?: 'labels';
  readonly source_queue: string;
  readonly source_job_id: string | undefined;
  readonly reason: string;
  /** Per-record problems where known (index into `records`). */
  readonly problems: readonly { index: number; problem: string }[];
  /** The records as they arrived; possibly invalid, so typed loosely. */
  readonly records: readonly unknown[];
  readonly dead_lettered_at: string;
}

export interface DeadLetterSummary {
  readonly id: string;
  readonly kind: DeadLetterKind;
  readonly records: number;
  readonly reason: string;
  readonly source_job_id: string | undefined;
  readonly dead_lettered_at: string;
}

/**
 * The dead-letter place: a BullMQ queue nobody consumes, beside the log
 * queue. Entries stay until a person replays (or deletes) them; a replay puts
 * the records back on the log queue as a new batch.
 */
export class DeadLetterQueue {
  private readonly queue: ReadyQueue<DeadLetter>;
  private readonly logQueue: ReadyQueue<unknown>;

  constructor(
    connection: RedisConnection,
    private readonly queueName: string,
  ) {
    const names = queueNames(queueName);
    this.queue = new ReadyQueue<DeadLetter>(connection, names.deadLetter);
    this.logQueue = new ReadyQueue<unknown>(connection, names.log, { defaultJobOptions: LOG_BATCH_JOB_OPTIONS });
  }

  async add(letter: Omit<DeadLetter, 'dead_lettered_at' | 'source_queue'>): Promise<string> {
    const job = await this.queue.get().add(letter.kind, { ...letter, source_queue: this.queueName, dead_lettered_at: new Date().toISOString() });
    return job.id as string;
  }

  async count(): Promise<number> {
    return this.queue.get().getWaitingCount();
  }

  /** Newest first. */
  async list(limit = 100): Promise<DeadLetterSummary[]> {
    const jobs = await this.queue.get().getWaiting(0, limit - 1);
    return jobs.filter((job): job is Job<DeadLetter> => job !== undefined).map(summarize);
  }

  async get(id: string): Promise<DeadLetter & { id: string }> {
    const job = await this.queue.get().getJob(id);
    if (job === undefined) throw new QueueError('DEAD_LETTER_NOT_FOUND', `No dead letter with id ${id.slice(0, 64)}`, { id: id.slice(0, 64) });
    return { id, ...job.data };
  }

  /**
   * Puts the entry's records back on the log queue as one batch and removes
   * the entry. The stores are idempotent on prediction_id, so replaying
   * records that did land after all adds nothing twice. Records that are
   * still invalid come back here with a fresh reason.
   */
  async replay(id: string): Promise<{ id: string; records: number; job_id: string }> {
    const letter = await this.get(id);
    const jobId = `replay-${id}-${Date.now()}`;
    if (letter.stream === 'labels') {
      // Labels go back as rows as they were kept, however malformed: the worker checks them again.
      const rows = letter.records.map((r) => LABEL_BATCH_COLUMNS.map((column) => (r as Record<string, unknown> | null)?.[column]) as unknown as LabelBatchRow);
      await this.logQueue.get().add(LABEL_BATCH_JOB.name, { v: 1, columns: LABEL_BATCH_COLUMNS, rows }, { jobId });
    } else {
      // Version 1 (record objects): the records go back exactly as they were kept, however malformed.
      const payload: LogBatchPayload = { v: 1, records: letter.records as PredictionRecord[] };
      await this.logQueue.get().add(LOG_BATCH_JOB.name, payload, { jobId });
    }
    await (await this.queue.get().getJob(id))?.remove();
    return { id, records: letter.records.length, job_id: jobId };
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.logQueue.close();
  }
}

function summarize(job: Job<DeadLetter>): DeadLetterSummary {
  return {
    id: job.id as string,
    kind: job.data.kind,
    records: job.data.records.length,
    reason: job.data.reason,
    source_job_id: job.data.source_job_id,
    dead_lettered_at: job.data.dead_lettered_at,
  };
}
