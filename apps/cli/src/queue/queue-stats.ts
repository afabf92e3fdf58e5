import { createRedisConnection, QueueInspector, type QueueStats } from '@vigil/queue';
import type { CliContext } from '../program/cli-context';
import { EXIT } from '../program/exit-codes';

export interface QueueStatsOptions {
  readonly minutes: number;
  readonly json: boolean;
}

/** How long to wait for Redis: ioredis retries without end, and a stats command that hangs says nothing. */
const REDIS_TIMEOUT_MS = 5_000;

const count = (n: number) => n.toLocaleString('en');

function seconds(value: number): string {
  return value < 120 ? `${value.toFixed(1)} s` : value < 7200 ? `${(value / 60).toFixed(1)} min` : `${(value / 3600).toFixed(1)} h`;
}

/** The stats as an operator reads them: one subject a line. */
export function formatQueueStats(stats: QueueStats): string[] {
  const oldest = stats.oldest_waiting;
  const recent = stats.recent;
  const stalled = stats.stalled.active_without_lock;
  const perMinute = stats.throughput.completed_per_minute;
  return [
    `queue ${stats.queue}${stats.paused ? ' (PAUSED: workers take no new jobs)' : ''}; ${stats.workers} worker connection(s)`,
    `jobs: ${Object.entries(stats.counts)
      .map(([state, jobs]) => `${state} ${count(jobs)}`)
      .join(', ')}`,
    `oldest waiting: ${oldest === null ? 'none' : `job ${oldest.job_id}, enqueued ${oldest.enqueued_at}, waiting ${seconds(oldest.age_seconds)}`}`,
    `last ${recent.minutes} min: ${count(recent.completed_jobs)} job(s) completed, ${count(recent.records_written)} record(s) written, ` +
      `${count(recent.records_rejected)} rejected` +
      (recent.whole_window ? '' : ' (at least: the completed list kept by BullMQ does not reach back that far)'),
    `throughput (BullMQ metrics, whole minutes before this one): ${count(stats.throughput.completed)} completed, ${count(stats.throughput.failed)} failed ` +
      `in ${stats.throughput.minutes} min; per minute, newest first: ${perMinute.length === 0 ? 'none recorded' : perMinute.join(' ')}`,
    `stalled: ${stalled.length === 0 ? 'none' : `${stalled.length} active job(s) without a worker's lock (${stalled.join(', ')})`}; ` +
      `${count(stats.stalled.recent_stalls)} stall(s) in the last ${recent.minutes} min`,
    `dead letters: ${count(stats.dead_letters)} in ${stats.dead_letter_queue}`,
  ];
}

/** `queue stats`: the log queue of QUEUE_NAME, as text or JSON. */
export async function printQueueStats(context: CliContext, options: QueueStatsOptions): Promise<number> {
  const config = context.config();
  // No reconnecting: a command asks once, and says why it could not.
  const connection = createRedisConnection(config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  let connectionError: Error | undefined;
  connection.on('error', (error: Error) => (connectionError = error));
  const inspector = new QueueInspector(connection, config.queueName);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${REDIS_TIMEOUT_MS / 1000} s`)), REDIS_TIMEOUT_MS);
    });
    await Promise.race([connection.connect(), timeout]);
    const stats = await Promise.race([inspector.stats(options.minutes), timeout]);
    if (options.json) context.out(JSON.stringify(stats, null, 2));
    else for (const line of formatQueueStats(stats)) context.out(line);
    return EXIT.ok;
  } catch (error) {
    context.out(`queue stats: ${(connectionError ?? (error as Error)).message}`);
    return EXIT.failed;
  } finally {
    clearTimeout(timer);
    await inspector.close();
    connection.disconnect();
  }
}
