import {
  cascade,
  coarsenTo,
  LatencyHistogram,
  ROLLUP_LEVELS,
  rollUp,
  type MinuteRollup,
  type RollupInput,
  type RollupLevel,
  type StoredHistogramJSON,
} from '@vigil/rollups';
import type { SqliteDatabase } from './open-sqlite';

/** The latency column's text: the compact form, several times cheaper to read back than the sparse one. */
export function encodeLatency(histogram: LatencyHistogram): string {
  return JSON.stringify(histogram.toCompactJSON());
}

/** Adds a latency column's text, in either stored form (rows written before the compact form are sparse), to `into`. */
export function mergeStoredLatency(into: LatencyHistogram, text: string): void {
  into.mergeJSON(JSON.parse(text) as StoredHistogramJSON);
}

export function decodeLatency(text: string): LatencyHistogram {
  return LatencyHistogram.fromJSON(JSON.parse(text) as StoredHistogramJSON);
}

/** One rollup table (rollup_minute keyed by minute, rollup_hour by hour, rollup_day by day). */
class RollupTable {
  private readonly select;
  private readonly upsert;

  constructor(db: SqliteDatabase, { table, key }: RollupLevel) {
    this.select = db.prepare<[number, string], { fraud: number; non_fraud: number; latency: string }>(
      `SELECT fraud, non_fraud, latency FROM ${table} WHERE ${key} = ? AND model_version = ?`,
    );
    this.upsert = db.prepare(
      `INSERT INTO ${table} (${key}, model_version, fraud, non_fraud, latency) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (${key}, model_version) DO UPDATE SET fraud = excluded.fraud, non_fraud = excluded.non_fraud, latency = excluded.latency`,
    );
  }

  /** Adds a rollup (its `minute` field holds this table's key) to the stored one. */
  mergeInto(rollup: MinuteRollup): void {
    const existing = this.select.get(rollup.minute, rollup.model_version);
    let { fraud, non_fraud } = rollup;
    const latency = new LatencyHistogram();
    latency.merge(rollup.latency);
    if (existing !== undefined) {
      mergeStoredLatency(latency, existing.latency);
      fraud += existing.fraud;
      non_fraud += existing.non_fraud;
    }
    this.upsert.run(rollup.minute, rollup.model_version, fraud, non_fraud, encodeLatency(latency));
  }
}

/**
 * Reads and writes the rollup tables of every level (ROLLUP_LEVELS: rollup_minute, rollup_hour and rollup_day).
 * Callers run these inside their own transaction, so a batch's rows and its rollups commit together.
 */
export class SqliteRollups {
  private readonly tables: ReadonlyMap<RollupLevel, RollupTable>;

  constructor(private readonly db: SqliteDatabase) {
    this.tables = new Map(ROLLUP_LEVELS.map((level) => [level, new RollupTable(db, level)]));
  }

  /** Adds these (newly stored) predictions to their minutes, hours and days. */
  add(records: Iterable<RollupInput>): void {
    for (const { level, rollups } of cascade(records)) {
      const table = this.tables.get(level)!;
      for (const rollup of rollups) table.mergeInto(rollup);
    }
  }

  /**
   * Rebuilds rollups that are missing (a database from before them, or a
   * deleted table) in one IMMEDIATE transaction, so two workers starting
   * together cannot both count the rows: minutes from the rows, hours from
   * the minutes, days from the hours. Returns the rows rolled up (0 when nothing needed doing).
   */
  rebuildIfMissing(): number {
    const rebuild = this.db.transaction(() => {
      let total = 0;
      const [minutes, ...coarser] = ROLLUP_LEVELS;
      if (this.db.prepare(`SELECT 1 FROM ${minutes!.table} LIMIT 1`).get() === undefined) {
        const page = this.db.prepare<[number], RollupInput & { id: number }>(
          'SELECT id, timestamp, model_version, prediction, latency_ms FROM predictions WHERE id > ? ORDER BY id LIMIT 50000',
        );
        const target = this.tables.get(minutes!)!;
        for (let after = 0; ;) {
          const rows = page.all(after);
          if (rows.length === 0) break;
          for (const rollup of rollUp(rows)) target.mergeInto(rollup);
          total += rows.length;
          after = rows[rows.length - 1]!.id;
        }
      }
      let finer = minutes!;
      for (const level of coarser) {
        this.rebuildLevel(finer, level);
        finer = level;
      }
      return total;
    });
    return rebuild.immediate();
  }

  /** Fills an empty coarser table from the finer one. */
  private rebuildLevel(from: RollupLevel, to: RollupLevel): void {
    if (this.db.prepare(`SELECT 1 FROM ${to.table} LIMIT 1`).get() !== undefined) return;
    const target = this.tables.get(to)!;
    const finer = this.db.prepare<[], { key: number; model_version: string; fraud: number; non_fraud: number; latency: string }>(
      `SELECT ${from.key} AS key, model_version, fraud, non_fraud, latency FROM ${from.table} ORDER BY ${from.key}`,
    );
    let pending: MinuteRollup[] = [];
    const flush = () => {
      for (const rollup of coarsenTo(to, pending)) target.mergeInto(rollup);
      pending = [];
    };
    // all(), not iterate(): the connection cannot write while a read is still open on it.
    for (const row of finer.all()) {
      pending.push({ minute: row.key, model_version: row.model_version, fraud: row.fraud, non_fraud: row.non_fraud, latency: decodeLatency(row.latency) });
      if (pending.length >= 5000) flush();
    }
    flush();
  }
}
