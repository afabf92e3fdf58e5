import type { Queue } from 'bullmq';
import type { QueueSnapshot } from '@vigil/metrics';
import type { DeadLetter } from './dead-letter-queue';
import { LABEL_BATCH_JOB_OPTIONS } from './jobs/label-batch/definition';
import { LOG_BATCH_JOB_OPTIONS } from './jobs/log-batch/definition';
import { queueNames, type QueueNames } from './queue-names';
import { ReadyQueue } from './ready-queue';
import type { RedisConnection } from './redis-connection';

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

/** What `vigil queue stats` adds to the report: the last minutes exactly, the stalled jobs and the workers. */
export interface QueueStats extends QueueReport {
  /** Jobs that finished in the last `minutes`, read off the completed jobs' finish times (the current minute included). */
  readonly recent: {
    readonly minutes: number;
    readonly completed_jobs: number;
    /** What the handlers returned: rows the stores added, and records refused into the dead-letter queue. */
    readonly records_written: number;
    readonly records_rejected: number;
    /**
     * False when the completed list, which keeps only the newest jobs
     * (removeOnComplete), does not reach back over the whole window: the
     * figures are then a lower bound, and throughput (BullMQ's metrics) is the one to read.
     */
    readonly whole_window: boolean;
  };
  readonly stalled: {
    /**
     * Active jobs whose worker no longer holds the lock (it died or hung):
     * the next stalled check of a running worker moves them back to waiting.
     */
    readonly active_without_lock: readonly string[];
    /** Jobs moved back to waiting (or failed) as stalled in the last `minutes`, from the queue's event stream. */
    readonly recent_stalls: number;
  };
  /** Worker connections on the queue (BullMQ's CLIENT LIST): 0 means nothing takes jobs. */
  readonly workers: number;
}

/** Completed jobs read for `recent`: more than removeOnComplete keeps, so this is all of them. */
const RECENT_SCAN_LIMIT = 10_000;
/** BullMQ trims the completed list to this many once it grows past it: below it, nothing completed has been removed. */
const COMPLETED_KEPT = Math.min(LOG_BATCH_JOB_OPTIONS.removeOnComplete.count, LABEL_BATCH_JOB_OPTIONS.removeOnComplete.count);

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
    private readonly connection: RedisConnection,
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

  /** The report, with the last `minutes` read exactly and the stalled jobs: more Redis work than a scrape should do. */
  async stats(minutes = 1): Promise<QueueStats> {
    const { log } = this.ready();
    const since = this.now() - minutes * 60_000;
    const [report, recent, withoutLock, recentStalls, workers] = await Promise.all([
      this.report(minutes),
      this.recentCompleted(log, since),
      this.activeWithoutLock(log),
      this.recentStalls(log, since),
      log.getWorkersCount(),
    ]);
    return { ...report, recent: { minutes, ...recent }, stalled: { active_without_lock: withoutLock, recent_stalls: recentStalls }, workers };
  }

  /** Jobs completed since `since` (the completed set is scored by finish time) and the records their handlers reported. */
  private async recentCompleted(log: Queue, since: number): Promise<Omit<QueueStats['recent'], 'minutes'>> {
    const [ids, oldestKept, kept] = await Promise.all([
      this.connection.zrevrangebyscore(log.keys.completed!, '+inf', since, 'LIMIT', 0, RECENT_SCAN_LIMIT),
      this.connection.zrange(log.keys.completed!, 0, 0, 'WITHSCORES'),
      this.connection.zcard(log.keys.completed!),
    ]);
    const pipeline = this.connection.pipeline();
    for (const id of ids) pipeline.hget(log.toKey(id), 'returnvalue');
    let written = 0;
    let rejected = 0;
    for (const [, value] of (await pipeline.exec()) ?? []) {
      const returned = parseReturnValue(value);
      written += returned.written;
      rejected += returned.rejected;
    }
    // A trimmed list whose oldest job finished after the window began may have lost older ones of the window.
    const oldestFinish = oldestKept[1] === undefined ? Number.NEGATIVE_INFINITY : Number(oldestKept[1]);
    const whole = ids.length < RECENT_SCAN_LIMIT && (kept < COMPLETED_KEPT || oldestFinish <= since);
    return { completed_jobs: ids.length, records_written: written, records_rejected: rejected, whole_window: whole };
  }

  /** The active jobs whose lock key is gone: what BullMQ's next stalled check will move back to waiting. */
  private async activeWithoutLock(log: Queue): Promise<string[]> {
    const active = await this.connection.lrange(log.keys.active!, 0, -1);
    if (active.length === 0) return [];
    const pipeline = this.connection.pipeline();
    for (const id of active) pipeline.exists(`${log.toKey(id)}:lock`);
    const locks = (await pipeline.exec()) ?? [];
    return active.filter((_, i) => locks[i]?.[1] === 0);
  }

  /** `stalled` events since `since` in the queue's event stream (kept to its last ~10,000 events). */
  private async recentStalls(log: Queue, since: number): Promise<number> {
    const events = await this.connection.xrevrange(log.keys.events!, '+', String(Math.floor(since)), 'COUNT', RECENT_SCAN_LIMIT);
    return events.filter(([, fields]) => fields[0] === 'event' && fields[1] === 'stalled').length;
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

/** A handler's { written, rejected } as BullMQ stored it (JSON); zeros for anything else (another job type, a job still being written). */
function parseReturnValue(value: unknown): { written: number; rejected: number } {
  try {
    const parsed = typeof value === 'string' ? (JSON.parse(value) as { written?: unknown; rejected?: unknown }) : undefined;
    return { written: Number(parsed?.written) || 0, rejected: Number(parsed?.rejected) || 0 };
  } catch {
    return { written: 0, rejected: 0 };
  }
}
