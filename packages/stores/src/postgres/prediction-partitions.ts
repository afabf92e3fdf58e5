import type pg from 'pg';

const DAY_MS = 86_400_000;
const PARTITION_NAME = /^predictions_p(\d{4})(\d{2})(\d{2})$/;

/**
 * How long creating or dropping a partition may wait for its lock on the parent table. Both take an
 * ACCESS EXCLUSIVE lock, and a waiting one queues every later query behind it: better to give up and
 * try again (the next page, the next maintenance round) than to stall the monitoring reads.
 */
const LOCK_TIMEOUT = '5s';

/** The UTC day of an instant, as YYYY-MM-DD (a DATE literal). */
export function utcDay(instant: string | number | Date): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a timestamp: ${String(instant)}`);
  return date.toISOString().slice(0, 10);
}

/** The days `from`, `from` + 1, … `from` + count - 1, as YYYY-MM-DD. */
export function daysFrom(from: string, count: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => utcDay(start + i * DAY_MS));
}

/** The day a partition holds, from its name (predictions_pYYYYMMDD); undefined for any other table. */
export function partitionDay(name: string): string | undefined {
  const match = PARTITION_NAME.exec(name);
  return match === null ? undefined : `${match[1]}-${match[2]}-${match[3]}`;
}

async function inShortTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The day partitions of one schema's predictions table. `ensure` remembers the days it has seen, so
 * a page whose days all have partitions costs no query; `forget` drops that memory when a partition
 * may have gone (another process's retention), and the next `ensure` asks Postgres again.
 */
export class PredictionPartitions {
  private readonly known = new Set<string>();

  constructor(private readonly schema: string) {}

  /**
   * Makes sure each day has its partition, each missing one created in a short transaction of its
   * own (never inside the caller's COPY transaction, which would hold the parent's lock through it).
   * Call it outside any transaction. Returns the days it asked Postgres about.
   */
  async ensure(client: pg.ClientBase, days: Iterable<string>): Promise<string[]> {
    const missing = [...new Set(days)].filter((day) => !this.known.has(day)).sort();
    for (const day of missing) {
      await inShortTransaction(client, () => client.query(`SELECT "${this.schema}".vigil_prediction_partition($1::date)`, [day]));
      this.known.add(day);
    }
    return missing;
  }

  forget(): void {
    this.known.clear();
  }

  /** The days that have a partition, oldest first. */
  async days(client: pg.ClientBase): Promise<string[]> {
    const result = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = to_regclass($1)`,
      [`"${this.schema}".predictions`],
    );
    return result.rows
      .map((row) => partitionDay(row.name))
      .filter((day): day is string => day !== undefined)
      .sort();
  }

  /**
   * Drops the partitions of the days before `firstKeptDay` (YYYY-MM-DD): whole tables, so it costs
   * the same whatever they hold. Each in its own short transaction; returns the days dropped.
   */
  async dropBefore(client: pg.ClientBase, firstKeptDay: string): Promise<string[]> {
    const dropped: string[] = [];
    for (const day of await this.days(client)) {
      if (day >= firstKeptDay) break;
      const name = `predictions_p${day.replaceAll('-', '')}`;
      await inShortTransaction(client, () => client.query(`DROP TABLE IF EXISTS "${this.schema}".${name}`));
      this.known.delete(day);
      dropped.push(day);
    }
    return dropped;
  }
}
