import type { Logger } from '@vigil/metrics';
import type { SqliteWriter } from '@vigil/stores';

export interface RetentionOptions {
  readonly sqlite: SqliteWriter;
  readonly retentionDays: number;
  /** True when a Postgres audit is configured: rows it has not received are kept. */
  readonly keepUnaudited: boolean;
  readonly logger: Logger;
  /** @defaultValue 60000 */
  readonly intervalMs?: number;
  /** @defaultValue 2000 */
  readonly batchSize?: number;
}

/**
 * Prunes old SQLite rows now and then, a small batch at a time with a
 * yield in between, so the log batches this worker writes never wait long
 * behind it. Returns a function that stops it.
 */
export function startRetention(options: RetentionOptions): { stop(): Promise<void>; runOnce(): Promise<number> } {
  const batchSize = options.batchSize ?? 2000;
  let stopped = false;
  let running: Promise<number> | undefined;

  async function runOnce(): Promise<number> {
    const cutoff = new Date(Date.now() - options.retentionDays * 86_400_000).toISOString();
    let total = 0;
    while (!stopped) {
      const deleted = options.sqlite.pruneBefore(cutoff, options.keepUnaudited, batchSize);
      total += deleted;
      if (deleted < batchSize) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (total > 0) options.logger.info('retention pruned old rows', { rows: total, before: cutoff });
    return total;
  }

  const tick = () => {
    running ??= runOnce()
      .catch((error: Error) => {
        options.logger.warn('retention failed; will try again', { error: error.message });
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalMs ?? 60_000);
  timer.unref();
  tick();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
    runOnce,
  };
}
