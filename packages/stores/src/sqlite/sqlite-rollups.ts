import { LatencyHistogram, rollUp, type MinuteRollup, type RollupInput } from '@vigil/rollups';
import type { SqliteDatabase } from './open-sqlite';

/**
 * Reads and writes rollup_minute. Callers run these inside their own
 * transaction, so a batch's rows and its rollups commit together.
 */
export class SqliteRollups {
  private readonly select;
  private readonly upsert;

  constructor(private readonly db: SqliteDatabase) {
    this.select = db.prepare<[number, string], { fraud: number; non_fraud: number; latency: string }>(
      'SELECT fraud, non_fraud, latency FROM rollup_minute WHERE minute = ? AND model_version = ?',
    );
    this.upsert = db.prepare(
      `INSERT INTO rollup_minute (minute, model_version, fraud, non_fraud, latency) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (minute, model_version) DO UPDATE SET fraud = excluded.fraud, non_fraud = excluded.non_fraud, latency = excluded.latency`,
    );
  }

  /** Adds these (newly stored) predictions to their minutes. */
  add(records: Iterable<RollupInput>): void {
    for (const rollup of rollUp(records)) this.mergeInto(rollup);
  }

  private mergeInto(rollup: MinuteRollup): void {
    const existing = this.select.get(rollup.minute, rollup.model_version);
    if (existing !== undefined) {
      rollup.latency.merge(LatencyHistogram.fromJSON(JSON.parse(existing.latency)));
      rollup.fraud += existing.fraud;
      rollup.non_fraud += existing.non_fraud;
    }
    this.upsert.run(rollup.minute, rollup.model_version, rollup.fraud, rollup.non_fraud, JSON.stringify(rollup.latency));
  }

  /**
   * Rebuilds the rollups from the rows when they are missing (a database
   * from before rollups, or a deleted table), in one IMMEDIATE transaction
   * so two workers starting together cannot both count the rows.
   * Returns the rows rolled up (0 when nothing needed doing).
   */
  rebuildIfMissing(): number {
    const rebuild = this.db.transaction(() => {
      const hasRollups = this.db.prepare('SELECT 1 FROM rollup_minute LIMIT 1').get() !== undefined;
      if (hasRollups) return 0;
      const page = this.db.prepare<[number], RollupInput & { id: number }>(
        'SELECT id, timestamp, model_version, prediction, latency_ms FROM predictions WHERE id > ? ORDER BY id LIMIT 50000',
      );
      let after = 0;
      let total = 0;
      for (;;) {
        const rows = page.all(after);
        if (rows.length === 0) return total;
        this.add(rows);
        total += rows.length;
        after = rows[rows.length - 1]!.id;
      }
    });
    return rebuild.immediate();
  }
}
