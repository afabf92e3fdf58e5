import type { SqliteWriter } from './sqlite/sqlite-writer';
import type { PostgresStore } from './postgres/postgres-store';

/** What the shipper reports, for metrics and logs. */
export interface AuditShipperEvents {
  shipped?(rows: number, inserted: number, seconds: number): void;
  failed?(error: Error, attempt: number, retryInMs: number): void;
  backlog?(count: number, oldestAgeSeconds: number): void;
}

/** Options for {@link AuditShipper}. */
export interface AuditShipperOptions {
  /** @defaultValue 5000 */
  readonly batchSize?: number;
  /** Longest wait between attempts while Postgres is failing. @defaultValue 30000 */
  readonly maxRetryDelayMs?: number;
  /** How often to look for rows when nobody calls wake(). @defaultValue 1000 */
  readonly idlePollMs?: number;
  readonly events?: AuditShipperEvents;
}

/**
 * Drains the SQLite outbox (rows with audited = 0) into the Postgres audit.
 * SQLite is written first and never waits for Postgres, so a slow or absent
 * audit cannot hold the queue back; this loop catches up when Postgres
 * returns, and ON CONFLICT keeps a re-shipped row from becoming a duplicate.
 */
export class AuditShipper {
  private running = false;
  private backingOff = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly maxRetryDelayMs: number;
  private readonly idlePollMs: number;

  constructor(
    private readonly sqlite: SqliteWriter,
    private readonly postgres: PostgresStore,
    private readonly options: AuditShipperOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.idlePollMs = options.idlePollMs ?? 1000;
    if (!(this.batchSize >= 1)) throw new RangeError('AuditShipper: batchSize must be >= 1');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New rows are in SQLite: ship them now rather than at the next poll. */
  wake(): void {
    if (!this.backingOff) this.wakeUp?.(); // a backoff is never cut short by new rows
  }

  /** Finishes the round in hand and stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** Ships until the outbox is empty (used at shutdown and in tests). */
  async drain(): Promise<void> {
    while ((await this.shipOnce()) > 0);
  }

  private async shipOnce(): Promise<number> {
    const rows = this.sqlite.unauditedForAudit(this.batchSize);
    if (rows.length === 0) return 0;
    const started = performance.now();
    const inserted = await this.postgres.insertAuditRows(rows);
    this.sqlite.markAudited(rows.map((row) => row.id));
    this.options.events?.shipped?.(rows.length, inserted, (performance.now() - started) / 1000);
    return rows.length;
  }

  private lastBacklogReport = 0;

  /**
   * At most once a second, and never more often than it costs: counting a
   * million-row backlog takes longer than shipping a page of it.
   */
  private reportBacklog(): void {
    const now = Date.now();
    if (now - this.lastBacklogReport < 1000) return;
    const started = performance.now();
    const { count, oldestTimestamp } = this.sqlite.auditBacklog();
    // Spend at most ~5% of the time counting: a 200 ms count waits 4 s for the next one.
    this.lastBacklogReport = now + Math.max(0, (performance.now() - started) * 20 - 1000);
    const age = oldestTimestamp === undefined ? 0 : Math.max(0, (Date.now() - Date.parse(oldestTimestamp)) / 1000);
    this.options.events?.backlog?.(count, age);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      let shipped = 0;
      try {
        shipped = await this.shipOnce();
        attempt = 0;
      } catch (error) {
        attempt += 1;
        // Exponential backoff with jitter, so many workers do not hammer a recovering Postgres together.
        const delay = Math.min(this.maxRetryDelayMs, 100 * 2 ** Math.min(attempt, 20)) * (0.5 + Math.random() / 2);
        this.options.events?.failed?.(error as Error, attempt, delay);
        this.reportBacklog();
        this.backingOff = true;
        await this.sleep(delay);
        this.backingOff = false;
        continue;
      }
      this.reportBacklog();
      if (shipped < this.batchSize) await this.sleep(this.idlePollMs);
    }
  }
}
