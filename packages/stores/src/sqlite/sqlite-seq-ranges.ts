import { mergeRanges, parseRanges, sameRanges, type SeqRange, type SeqRangeKind, type SeqRangeRow } from '../seq-ranges';
import type { SqliteDatabase } from './open-sqlite';

/** Dead-lettered runs the Postgres audit does not have yet, with the change they are as of. */
export interface UnshippedSeqRanges {
  readonly instance_id: string;
  readonly ranges: readonly SeqRange[];
  readonly version: number;
}

/**
 * The seq_ranges table (migration 7): per instance and kind, the runs of
 * sequence numbers. `add` is meant to run inside the caller's transaction
 * (the one that writes the rows), so the runs never claim a row that
 * rolled back.
 */
export class SqliteSeqRanges {
  private readonly select;
  private readonly upsert;
  private readonly selectAll;
  private readonly selectUnshipped;
  private readonly markShippedStatement;

  constructor(db: SqliteDatabase) {
    this.select = db.prepare<[string, SeqRangeKind], string>('SELECT ranges FROM seq_ranges WHERE instance_id = ? AND kind = ?').pluck();
    this.upsert = db.prepare<[string, SeqRangeKind, string]>(
      `INSERT INTO seq_ranges (instance_id, kind, ranges, version) VALUES (?, ?, ?, 1)
       ON CONFLICT (instance_id, kind) DO UPDATE SET ranges = excluded.ranges, version = version + 1`,
    );
    this.selectAll = db.prepare<[], { instance_id: string; kind: SeqRangeKind; ranges: string }>(
      'SELECT instance_id, kind, ranges FROM seq_ranges ORDER BY instance_id, kind',
    );
    this.selectUnshipped = db.prepare<[], { instance_id: string; ranges: string; version: number }>(
      "SELECT instance_id, ranges, version FROM seq_ranges WHERE kind = 'dead_lettered' AND version > shipped_version ORDER BY instance_id",
    );
    // max(): two workers sharing a file may ship the same change; what is shipped never goes back.
    this.markShippedStatement = db.prepare<[number, string]>(
      "UPDATE seq_ranges SET shipped_version = max(shipped_version, ?) WHERE instance_id = ? AND kind = 'dead_lettered'",
    );
  }

  /** Merges each instance's runs into what is kept; writes only the instances whose runs changed. */
  add(kind: SeqRangeKind, runs: ReadonlyMap<string, readonly SeqRange[]>): void {
    for (const [instance, added] of runs) {
      const stored = this.select.get(instance, kind);
      const before = stored === undefined ? [] : parseRanges(stored);
      const after = mergeRanges(before, added);
      // A redelivered batch changes nothing: no write, no version for the shipper to copy.
      if (stored === undefined || !sameRanges(before, after)) this.upsert.run(instance, kind, JSON.stringify(after));
    }
  }

  all(): SeqRangeRow[] {
    return this.selectAll.all().map((row) => ({ instance_id: row.instance_id, kind: row.kind, ranges: parseRanges(row.ranges) }));
  }

  /** Dead-lettered runs changed since the Postgres audit last received them. */
  unshippedDeadLettered(): UnshippedSeqRanges[] {
    return this.selectUnshipped.all().map((row) => ({ instance_id: row.instance_id, ranges: parseRanges(row.ranges), version: row.version }));
  }

  /** The audit has these dead-lettered runs, as of each one's version. */
  markShipped(shipped: readonly Pick<UnshippedSeqRanges, 'instance_id' | 'version'>[]): void {
    for (const { instance_id, version } of shipped) this.markShippedStatement.run(version, instance_id);
  }
}
