import Database from 'better-sqlite3';
import { sleep } from './processes';

/** A read-only look at a SQLite file another process writes (WAL lets us read beside it). */
export class SqliteProbe {
  private readonly db: Database.Database;
  private readonly countStatement;
  private readonly maxIdStatement;

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 10000');
    this.countStatement = this.db.prepare<[], number>('SELECT count(*) FROM predictions').pluck();
    // Rows are appended with increasing ids and never deleted, so max(id) is the row count, in O(log n).
    this.maxIdStatement = this.db.prepare<[], number | null>('SELECT max(id) FROM predictions').pluck();
  }

  count(): number {
    return this.countStatement.get() ?? 0;
  }

  maxId(): number {
    return this.maxIdStatement.get() ?? 0;
  }

  get database(): Database.Database {
    return this.db;
  }

  close(): void {
    this.db.close();
  }
}

export interface DrainMeasurement {
  /** Rows per second between the first sample that showed progress and the one that showed the target reached. */
  readonly rowsPerSecond: number;
  readonly rowsTimed: number;
  readonly secondsTimed: number;
  readonly reached: boolean;
  readonly final: number;
}

/**
 * Polls `progress` (rows done so far) until it reaches `target` or timeoutMs
 * passes. Timing starts at the first sample above the starting value, so the
 * process's start-up is not counted; the rows before that sample are not
 * counted either. `onSample` runs at each poll (RSS sampling, say).
 */
export async function measureProgress(
  progress: () => number,
  target: number,
  options: { pollMs: number; timeoutMs: number; onSample?: () => void },
): Promise<DrainMeasurement> {
  const deadline = performance.now() + options.timeoutMs;
  const initial = progress();
  let first: { at: number; value: number } | undefined;
  let value = initial;
  while (value < target && performance.now() < deadline) {
    await sleep(options.pollMs);
    value = progress();
    options.onSample?.();
    if (first === undefined && value > initial) first = { at: performance.now(), value };
  }
  const end = performance.now();
  if (first === undefined || value === first.value) {
    return { rowsPerSecond: Number.NaN, rowsTimed: 0, secondsTimed: 0, reached: value >= target, final: value };
  }
  const seconds = (end - first.at) / 1000;
  return { rowsPerSecond: (value - first.value) / seconds, rowsTimed: value - first.value, secondsTimed: seconds, reached: value >= target, final: value };
}
