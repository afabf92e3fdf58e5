import { startRounds } from './rounds-on-a-timer';
import type { SqliteWriter } from './sqlite-writer';

/** What retention reports: a structural slice of @vigil/metrics' Logger, so the stores need not depend on it. */
export interface RetentionLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface RetentionOptions {
  readonly sqlite: Pick<SqliteWriter, 'pruneBefore'>;
  readonly retentionDays: number;
  /** True when a Postgres audit is configured: rows it has not received are kept. */
  readonly keepUnaudited: boolean;
  readonly logger: RetentionLogger;
  /** @defaultValue 60000 */
  readonly intervalMs?: number;
  /** @defaultValue 2000 */
  readonly batchSize?: number;
}

export interface RunningRetention {
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
  /** One pruning round now; resolves to the rows deleted. */
  runOnce(): Promise<number>;
}

/**
 * SQLite's retention: prunes old rows (SqliteWriter.pruneBefore) now and
 * then, a small batch at a time with a yield in between, so the log batches
 * the worker writes never wait long behind it. Returns a handle that stops it.
 */
export function startRetention(options: RetentionOptions): RunningRetention {
  const batchSize = options.batchSize ?? 2000;

  async function round(isStopped: () => boolean): Promise<number> {
    const cutoff = new Date(Date.now() - options.retentionDays * 86_400_000).toISOString();
    let total = 0;
    while (!isStopped()) {
      const deleted = options.sqlite.pruneBefore(cutoff, options.keepUnaudited, batchSize);
      total += deleted;
      if (deleted < batchSize) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (total > 0) options.logger.info('retention pruned old rows', { rows: total, before: cutoff });
    return total;
  }

  const rounds = startRounds(round, {
    intervalMs: options.intervalMs ?? 60_000,
    runNow: true,
    onFailure: (error) => options.logger.warn('retention failed; will try again', { error: error.message }),
  });
  return { stop: () => rounds.stop(), runOnce: () => round(() => rounds.stopped) };
}
