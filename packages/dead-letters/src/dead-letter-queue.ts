import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { VigilError } from '@vigil/errors';
import { LOG_BATCH_JOB, LOG_BATCH_JOB_OPTIONS, type PredictionRecord } from '@vigil/prediction-log';

export type DeadLetterErrorCode = 'DEAD_LETTER_NOT_FOUND';

/** Why records ended here: invalid in the worker's eyes, or refused by a store after every retry. */
export type DeadLetterKind = 'rejected-records' | 'failed-batch' | 'store-rejected-records';

/** One dead-letter entry: what was held back, from where, and why. Plain JSON, readable with redis-cli. */
export interface DeadLetter {
  readonly kind: DeadLetterKind;
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

/** Name of the queue that holds the dead letters of a log queue. */
export function deadLetterQueueName(queueName: string): string {
  return `${queueName}-dead-letter`;
}

/**
 * The dead-letter place: a BullMQ queue nobody consumes, beside the log
 * queue. Entries stay until a person replays (or deletes) them; a replay puts
 * the records back on the log queue as a new batch.
 */
export class DeadLetterQueue {
  private readonly queue: Queue<DeadLetter>;
  private readonly logQueue: Queue;

  constructor(connection: Redis, private readonly queueName: string) {
    this.queue = new Queue<DeadLetter>(deadLetterQueueName(queueName), { connection });
    this.logQueue = new Queue(queueName, { connection, defaultJobOptions: LOG_BATCH_JOB_OPTIONS });
    // Connection trouble surfaces on each call; an 'error' event without a listener would kill the process.
    this.queue.on('error', () => undefined);
    this.logQueue.on('error', () => undefined);
  }

  async add(letter: Omit<DeadLetter, 'dead_lettered_at' | 'source_queue'>): Promise<string> {
    const job = await this.queue.add(letter.kind, { ...letter, source_queue: this.queueName, dead_lettered_at: new Date().toISOString() });
    return job.id as string;
  }

  async count(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  /** Newest first. */
  async list(limit = 100): Promise<DeadLetterSummary[]> {
    const jobs = await this.queue.getWaiting(0, limit - 1);
    return jobs.filter((job): job is Job<DeadLetter> => job !== undefined).map(summarize);
  }

  async get(id: string): Promise<DeadLetter & { id: string }> {
    const job = await this.queue.getJob(id);
    if (job === undefined) throw new VigilError<DeadLetterErrorCode>('DEAD_LETTER_NOT_FOUND', `No dead letter with id ${id.slice(0, 64)}`, 404, { id: id.slice(0, 64) });
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
    // Version 1 (record objects): the records go back exactly as they were kept, however malformed.
    await this.logQueue.add(LOG_BATCH_JOB.name, { v: 1, records: letter.records as PredictionRecord[] }, { jobId });
    await (await this.queue.getJob(id))?.remove();
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
