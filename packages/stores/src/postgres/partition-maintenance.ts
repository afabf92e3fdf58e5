import type { RetentionLogger } from '../sqlite/sqlite-retention';
import type { PostgresStore } from './postgres-store';
import { utcDay } from './prediction-partitions';

const DAY_MS = 86_400_000;

export interface PartitionMaintenanceOptions {
  readonly store: Pick<PostgresStore, 'preparePartitions' | 'dropPartitionsBefore'>;
  /** AUDIT_RETENTION_DAYS; undefined keeps every partition. */
  readonly retentionDays: number | undefined;
  readonly logger: RetentionLogger;
  /** Days after today (UTC) whose partitions exist ahead of time. @defaultValue 3 */
  readonly daysAhead?: number;
  /** @defaultValue 3600000 (hourly: a day's partition exists 3 days before it is needed) */
  readonly intervalMs?: number;
  /** The clock, for tests. @defaultValue Date.now */
  readonly now?: () => number;
}

export interface RunningPartitionMaintenance {
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
  /** One round now, after the one in progress: the days it made sure have partitions, and the days it dropped. */
  runOnce(): Promise<{ prepared: string[]; dropped: string[] }>;
}

/**
 * The first day whose partition retention keeps. A day's partition goes only once the whole day is
 * more than `retentionDays` old, so no row younger than that is ever dropped; with the floor of 31
 * days (packages/config) that keeps every row a /monitoring window (30 days at most) can read.
 */
export function firstKeptDay(retentionDays: number, now: number): string {
  return utcDay(now - retentionDays * DAY_MS);
}

/**
 * The audit's day partitions, looked after by the worker: creates today's and the next days' ahead
 * of time (the shipper creates any other day a page needs on demand) and drops, with
 * AUDIT_RETENTION_DAYS, the days older than that, a whole table at a time. Hourly, and at start.
 */
export function startPartitionMaintenance(options: PartitionMaintenanceOptions): RunningPartitionMaintenance {
  const now = options.now ?? Date.now;
  let running: Promise<{ prepared: string[]; dropped: string[] }> | undefined;

  async function round(): Promise<{ prepared: string[]; dropped: string[] }> {
    const at = now();
    const prepared = await options.store.preparePartitions(options.daysAhead ?? 3, at);
    const dropped = options.retentionDays === undefined ? [] : await options.store.dropPartitionsBefore(firstKeptDay(options.retentionDays, at));
    if (dropped.length > 0) options.logger.info('audit retention dropped day partitions', { days: dropped });
    return { prepared, dropped };
  }

  /** A round after the one in progress, if any (a test's round never runs beside the timer's). */
  async function runOnce(): Promise<{ prepared: string[]; dropped: string[] }> {
    await running;
    return round();
  }

  const tick = () => {
    running ??= round()
      .catch((error: Error) => {
        options.logger.warn('audit partition maintenance failed; will try again', { error: error.message });
        return { prepared: [], dropped: [] };
      })
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalMs ?? 3_600_000);
  timer.unref();
  tick();

  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
    runOnce,
  };
}
