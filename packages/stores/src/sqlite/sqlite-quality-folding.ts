import { startRounds } from './rounds-on-a-timer';
import type { SqliteWriter } from './sqlite-writer';

/** What folding reports: a structural slice of @vigil/metrics' Logger, so the stores need not depend on it. */
export interface FoldingLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface QualityFoldingOptions {
  readonly sqlite: Pick<SqliteWriter, 'foldQualityRollups'>;
  readonly logger: FoldingLogger;
  /** @defaultValue 1000 */
  readonly intervalMs?: number;
  /** Keys folded per transaction: each holds the write lock for a few milliseconds. @defaultValue 16 */
  readonly keysPerTransaction?: number;
  /** Most milliseconds one round folds for, so a backlog (a label import) takes a small share of the worker. @defaultValue 50 */
  readonly budgetMs?: number;
}

export interface RunningQualityFolding {
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
  /** One round now (within the budget); resolves to the keys folded. */
  runOnce(): Promise<number>;
}

/**
 * The worker's folding of pending quality lists (minutes, hours, days) into
 * their packed lists (migration 14), a few keys per transaction with a yield in
 * between, so log and label batches never wait long behind it. Reads are
 * right whether or not it has run; it keeps them cheap.
 */
export function startQualityFolding(options: QualityFoldingOptions): RunningQualityFolding {
  const keysPerTransaction = options.keysPerTransaction ?? 16;
  const budgetMs = options.budgetMs ?? 50;

  async function round(isStopped: () => boolean): Promise<number> {
    const started = performance.now();
    let total = 0;
    while (!isStopped() && performance.now() - started < budgetMs) {
      const folded = options.sqlite.foldQualityRollups(keysPerTransaction);
      total += folded;
      if (folded < keysPerTransaction) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }

  const rounds = startRounds(round, {
    intervalMs: options.intervalMs ?? 1000,
    runNow: false,
    onFailure: (error) => options.logger.warn('folding quality rollups failed; will try again', { error: error.message }),
  });
  return { stop: () => rounds.stop(), runOnce: () => round(() => rounds.stopped) };
}
