import type { PostgresStore, SqliteWriter } from '@vigil/stores';
import { ShippedPrefix } from './shipped-prefix';

/**
 * What the shipper reads and marks in SQLite: the outbox side of {@link SqliteWriter}.
 * The dead-lettered runs (completeness) are optional: without them only rows ship.
 */
export type AuditOutbox = Pick<SqliteWriter, 'unauditedForAudit' | 'markShippedThrough' | 'auditBacklog'> &
  Partial<Pick<SqliteWriter, 'unshippedDeadLettered' | 'markDeadLetteredShipped'>> &
  Partial<Pick<SqliteWriter, 'labelsForAudit' | 'markLabelsShippedThrough'>> &
  Partial<Pick<SqliteWriter, 'shadowsForAudit' | 'markShadowsShippedThrough'>>;

/**
 * Where the shipper copies pages to: the audit side of {@link PostgresStore}.
 * Labels ship only when both the outbox and the target have their side.
 */
export type AuditTarget = Pick<PostgresStore, 'insertAuditRows'> & Partial<Pick<PostgresStore, 'mergeSeqRanges' | 'insertLabelVersions' | 'insertShadowRows'>>;

type OutboxRow = ReturnType<AuditOutbox['unauditedForAudit']>[number];

/** Pages shipped per call before the loop reports the backlog again. */
const PAGES_PER_CALL = 20;

/** What the shipper reports, for metrics and logs. */
export interface AuditShipperEvents {
  shipped?(rows: number, inserted: number, seconds: number): void;
  /** A page of label versions; `inserted` below `rows` means some were in the audit already (a re-ship). */
  labelsShipped?(rows: number, inserted: number, seconds: number): void;
  failed?(error: Error, attempt: number, retryInMs: number): void;
  backlog?(count: number, oldestAgeSeconds: number): void;
}

/** Options for {@link AuditShipper}. */
export interface AuditShipperOptions {
  /** @defaultValue 5000 */
  readonly batchSize?: number;
  /** Longest wait between attempts while Postgres is failing. @defaultValue 30000 */
  readonly maxRetryDelayMs?: number;
  /** Pages in flight at once, each its own transaction and connection. @defaultValue 2 */
  readonly parallelPages?: number;
  /** How often to look for rows when nobody calls wake(). @defaultValue 1000 */
  readonly idlePollMs?: number;
  readonly events?: AuditShipperEvents;
}

/**
 * Drains the SQLite outbox (rows above audit_progress.shipped_through, then
 * label versions above label_audit_progress.shipped_through) into the Postgres audit.
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
  private readonly parallelPages: number;

  constructor(
    private readonly sqlite: AuditOutbox,
    private readonly postgres: AuditTarget,
    private readonly options: AuditShipperOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.idlePollMs = options.idlePollMs ?? 1000;
    this.parallelPages = options.parallelPages ?? 2;
    if (!(this.parallelPages >= 1)) throw new RangeError('AuditShipper: parallelPages must be >= 1');
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
    while ((await this.shipAvailable()).rows > 0);
  }

  /**
   * Ships full pages while there are any, keeping up to `parallelPages`
   * transactions in flight on separate connections: while Postgres parses
   * one page's COPY, this process reads the next one from SQLite and a
   * second Postgres backend takes it (one COPY keeps one core busy, and
   * half the round trips would leave it idle). Pages hold disjoint ids, so
   * they never wait on each other's unique-index entries; the rollup rows
   * they share are locked in one order, so they queue rather than deadlock.
   * The outbox's progress moves past a page once it and every page before
   * it have committed (see {@link ShippedPrefix}). Stops after a bounded
   * number of pages (so the caller can report the backlog), when
   * `keepGoing` turns false (stop), or at the first failure; always once
   * every page in flight has settled.
   */
  private async shipAvailable(keepGoing: () => boolean = () => true): Promise<{ rows: number; more: boolean }> {
    await this.shipDeadLettered();
    const predictions = await this.shipPredictions(keepGoing);
    // After the predictions, in the same round: a failure of either backs the loop off, and both resume where they stood.
    const labels = await this.shipLabels(keepGoing);
    const shadows = await this.shipShadows(keepGoing);
    return { rows: predictions.rows + labels.rows + shadows.rows, more: predictions.more || labels.more || shadows.more };
  }

  private async shipPredictions(keepGoing: () => boolean): Promise<{ rows: number; more: boolean }> {
    const inFlight = new Set<Promise<void>>();
    const prefix = new ShippedPrefix();
    let failure: { error: unknown } | undefined;
    let shipped = 0;
    let afterId = 0; // pages in flight are not marked yet: read above them
    let more = false;
    for (let pages = 0; failure === undefined && pages < PAGES_PER_CALL && keepGoing(); pages++) {
      const page = this.sqlite.unauditedForAudit(this.batchSize, afterId);
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
      const issued = prefix.issue(afterId);
      const settled: Promise<void> = this.shipPage(page)
        .then((rows) => {
          shipped += rows;
          const through = prefix.commit(issued);
          if (through !== undefined) this.sqlite.markShippedThrough(through);
        })
        // A failed COPY or a failed progress write: stop issuing pages, let the others settle.
        .catch((error: unknown) => void (failure ??= { error }))
        .finally(() => inFlight.delete(settled));
      inFlight.add(settled);
      more = page.length === this.batchSize;
      if (!more) break;
      if (inFlight.size >= this.parallelPages) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    return { rows: shipped, more };
  }

  /**
   * Ships label versions above label_audit_progress, one page at a time:
   * labels are small and far fewer than predictions, so pages in flight
   * side by side would buy little. The progress moves past a page once it
   * has committed, as for predictions; a page re-shipped after a crash adds
   * nothing (label_id is unique in the audit). Bounded per call like the rows.
   */
  private async shipLabels(keepGoing: () => boolean): Promise<{ rows: number; more: boolean }> {
    const { sqlite, postgres } = this;
    if (sqlite.labelsForAudit === undefined || sqlite.markLabelsShippedThrough === undefined || postgres.insertLabelVersions === undefined) {
      return { rows: 0, more: false };
    }
    let shipped = 0;
    let more = false;
    for (let pages = 0; pages < PAGES_PER_CALL && keepGoing(); pages++) {
      const page = sqlite.labelsForAudit(this.batchSize);
      if (page.length === 0) break;
      const started = performance.now();
      const inserted = await postgres.insertLabelVersions(page);
      sqlite.markLabelsShippedThrough(page[page.length - 1]!.id);
      this.options.events?.labelsShipped?.(page.length, inserted, (performance.now() - started) / 1000);
      shipped += page.length;
      more = page.length === this.batchSize;
      if (!more) break;
    }
    return { rows: shipped, more };
  }

  /** Ships shadow scores above shadow_audit_progress, a page at a time, as the labels ship (narrow rows, idempotent by key). */
  private async shipShadows(keepGoing: () => boolean): Promise<{ rows: number; more: boolean }> {
    const { sqlite, postgres } = this;
    if (sqlite.shadowsForAudit === undefined || sqlite.markShadowsShippedThrough === undefined || postgres.insertShadowRows === undefined) {
      return { rows: 0, more: false };
    }
    let shipped = 0;
    let more = false;
    for (let pages = 0; pages < PAGES_PER_CALL && keepGoing(); pages++) {
      const page = sqlite.shadowsForAudit(this.batchSize);
      if (page.length === 0) break;
      await postgres.insertShadowRows(page);
      sqlite.markShadowsShippedThrough(page[page.length - 1]!.id);
      shipped += page.length;
      more = page.length === this.batchSize;
      if (!more) break;
    }
    return { rows: shipped, more };
  }

  /**
   * Copies the runs of records this host's worker dead-lettered (changed
   * since the last copy) to the audit, so completeness read from Postgres
   * does not count them missing. A few rows at most, and usually none: one
   * cheap SQLite read per round. Merging is a union, so a copy repeated
   * after a crash changes nothing.
   */
  private async shipDeadLettered(): Promise<void> {
    const { sqlite, postgres } = this;
    if (sqlite.unshippedDeadLettered === undefined || sqlite.markDeadLetteredShipped === undefined || postgres.mergeSeqRanges === undefined) return;
    const changed = sqlite.unshippedDeadLettered();
    if (changed.length === 0) return;
    await postgres.mergeSeqRanges('dead_lettered', changed);
    sqlite.markDeadLetteredShipped(changed);
  }

  private async shipPage(page: readonly OutboxRow[]): Promise<number> {
    const started = performance.now();
    const inserted = await this.postgres.insertAuditRows(page);
    this.options.events?.shipped?.(page.length, inserted, (performance.now() - started) / 1000);
    return page.length;
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
      let more = false;
      try {
        ({ more } = await this.shipAvailable(() => this.running));
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
      if (!more) await this.sleep(this.idlePollMs);
    }
  }
}
