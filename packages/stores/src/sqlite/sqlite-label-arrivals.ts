import { openSqlite, type SqliteDatabase } from './open-sqlite';

/**
 * How recently labels arrived, from the SQLite file the worker writes (the
 * labels_stopped alert). label_history keeps every version once, in the order
 * the worker wrote them, and retention never prunes it.
 */
export class SqliteLabelArrivals {
  private readonly newest;

  constructor(private readonly db: SqliteDatabase) {
    // received_at is the API's clock when it took the label; the write order can lag it (a journal replayed late),
    // so the newest of the last rows written, not only the last one: two index reads, no scan.
    this.newest = db.prepare<[], string | null>('SELECT max(received_at) FROM (SELECT received_at FROM label_history ORDER BY id DESC LIMIT 1000)').pluck();
  }

  static open(path: string): SqliteLabelArrivals {
    return new SqliteLabelArrivals(openSqlite(path));
  }

  /** When the newest label arrived (ISO 8601); undefined while none has. */
  async lastReceivedAt(): Promise<string | undefined> {
    return this.newest.get() ?? undefined;
  }

  close(): void {
    this.db.close();
  }
}
