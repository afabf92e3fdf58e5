import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueSnapshot } from '@vigil/metrics';
import type { DeadLetter } from './dead-letter-queue';
import { queueNames, type QueueNames } from './queue-names';
import { ReadyQueue } from './ready-queue';

/** The job states reported, in the order operators read them. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children', 'completed', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** The answer of GET /monitoring/queue. */
export interface QueueReport {
  readonly queue: string;
  readonly dead_letter_queue: string;
  /** True while an operator has paused the queue (workers take no new jobs). */
  readonly paused: boolean;
  /** Jobs by state; one job is one log batch of up to LOG_BATCH_MAX_RECORDS records. */
  readonly counts: Readonly<Record<QueueState, number>>;
  /** The next job a worker will take, and how long it has waited; null when none waits. */
  readonly oldest_waiting: { readonly job_id: string; readonly enqueued_at: string; readonly age_seconds: number } | null;
  /** Entries in the dead-letter queue. */
  readonly dead_letters: number;
  /** From BullMQ's per-minute worker metrics (kept a week); the current minute is not in them yet. */
  readonly throughput: {
    readonly minutes: number;
    readonly completed: number;
    readonly failed: number;
    /** Jobs completed per minute, newest first. */
    readonly completed_per_minute: readonly number[];
    readonly failed_per_minute: readonly number[];
    /** Every job completed (failed) since the metrics began. */
    readonly completed_total: number;
    readonly failed_total: number;
  };
}

interface Queues {
  readonly log: Queue;
  readonly deadLetters: Queue<DeadLetter>;
}

/**
 * Reads the log queue and its dead-letter queue for /monitoring/queue, the
 * vigil_queue_* gauges and bull-board, on the API's own Redis connection.
 */
export class QueueInspector {
  private readonly names: QueueNames;
  private readonly log: ReadyQueue;
  private readonly deadLetters: ReadyQueue<DeadLetter>;

  constructor(
    connection: Redis,
    readonly queueName: string,
    private readonly now: () => number = Date.now,
  ) {
    this.names = queueNames(queueName);
    this.log = new ReadyQueue(connection, this.names.log);
    this.deadLetters = new ReadyQueue<DeadLetter>(connection, this.names.deadLetter);
  }

  /**
   * The queues, built on first use once Redis is connected (see ReadyQueue);
   * before that a QueueError NOT_READY (the API answers 503).
   */
  ready(): Queues {
    return { log: this.log.get(), deadLetters: this.deadLetters.get() };
  }

  /** What a scrape needs: a handful of Redis commands. */
  async snapshot(): Promise<QueueSnapshot> {
    const { log, deadLetters } = this.ready();
    const [counts, oldest, dead] = await Promise.all([log.getJobCounts(...QUEUE_STATES), this.oldestWaiting(log), deadLetters.getWaitingCount()]);
    return { counts, oldestWaitingSeconds: oldest?.age_seconds ?? 0, deadLetters: dead };
  }

  async report(minutes = 15): Promise<QueueReport> {
    const { log, deadLetters } = this.ready();
    const [counts, paused, oldest, dead, completed, failed] = await Promise.all([
      log.getJobCounts(...QUEUE_STATES),
      log.isPaused(),
      this.oldestWaiting(log),
      deadLetters.getWaitingCount(),
      log.getMetrics('completed', 0, minutes - 1),
      log.getMetrics('failed', 0, minutes - 1),
    ]);
    const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
    return {
      queue: this.queueName,
      dead_letter_queue: this.names.deadLetter,
      paused,
      counts: Object.fromEntries(QUEUE_STATES.map((state) => [state, counts[state] ?? 0])) as Record<QueueState, number>,
      oldest_waiting: oldest,
      dead_letters: dead,
      throughput: {
        minutes,
        completed: sum(completed.data),
        failed: sum(failed.data),
        completed_per_minute: completed.data.map(Number),
        failed_per_minute: failed.data.map(Number),
        completed_total: Number(completed.meta.count),
        failed_total: Number(failed.meta.count),
      },
    };
  }

  /** The job at the head of the wait list (the next one a worker takes). */
  private async oldestWaiting(log: Queue): Promise<QueueReport['oldest_waiting']> {
    const [job] = await log.getJobs(['wait'], 0, 0, true);
    if (job === undefined) return null;
    return {
      job_id: String(job.id),
      enqueued_at: new Date(job.timestamp).toISOString(),
      age_seconds: Math.max(0, (this.now() - job.timestamp) / 1000),
    };
  }

  /** Closes the queues, not the connection (start-api owns it). */
  async close(): Promise<void> {
    await Promise.all([this.log.close(), this.deadLetters.close()]);
  }
}
