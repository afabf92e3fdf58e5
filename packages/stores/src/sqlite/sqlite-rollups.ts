import { LatencyHistogram, rollUp, rollUpDays, rollUpHours, type MinuteRollup, type RollupInput, type StoredHistogramJSON } from '@vigil/rollups';
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

/** One rollup table: rollup_minute keyed by minute, rollup_hour by hour. */
class RollupTable {
  private readonly select;
  private readonly upsert;

  constructor(db: SqliteDatabase, table: 'rollup_minute' | 'rollup_hour' | 'rollup_day', key: 'minute' | 'hour' | 'day') {
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
 * Reads and writes rollup_minute, rollup_hour and rollup_day. Callers run these inside
 * their own transaction, so a batch's rows and its rollups commit together.
 */
export class SqliteRollups {
  private readonly minutes: RollupTable;
  private readonly hours: RollupTable;
  private readonly days: RollupTable;

  constructor(private readonly db: SqliteDatabase) {
    this.minutes = new RollupTable(db, 'rollup_minute', 'minute');
    this.hours = new RollupTable(db, 'rollup_hour', 'hour');
    this.days = new RollupTable(db, 'rollup_day', 'day');
  }

  /** Adds these (newly stored) predictions to their minutes, hours and days. */
  add(records: Iterable<RollupInput>): void {
    const minutes = rollUp(records);
    for (const rollup of minutes) this.minutes.mergeInto(rollup);
    const hours = rollUpHours(minutes);
    for (const rollup of hours) this.hours.mergeInto(rollup);
    for (const rollup of rollUpDays(hours)) this.days.mergeInto(rollup);
  }

  /**
   * Rebuilds rollups that are missing (a database from before them, or a
   * deleted table) in one IMMEDIATE transaction, so two workers starting
   * together cannot both count the rows: minutes from the rows, hours from
   * the minutes. Returns the rows rolled up (0 when nothing needed doing).
   */
  rebuildIfMissing(): number {
    const rebuild = this.db.transaction(() => {
      let total = 0;
      if (this.db.prepare('SELECT 1 FROM rollup_minute LIMIT 1').get() === undefined) {
        const page = this.db.prepare<[number], RollupInput & { id: number }>(
          'SELECT id, timestamp, model_version, prediction, latency_ms FROM predictions WHERE id > ? ORDER BY id LIMIT 50000',
        );
        for (let after = 0; ; ) {
          const rows = page.all(after);
          if (rows.length === 0) break;
          for (const rollup of rollUp(rows)) this.minutes.mergeInto(rollup);
          total += rows.length;
          after = rows[rows.length - 1]!.id;
        }
      }
      this.rebuildLevel('rollup_minute', 'minute', 'rollup_hour', this.hours, rollUpHours);
      this.rebuildLevel('rollup_hour', 'hour', 'rollup_day', this.days, rollUpDays);
      return total;
    });
    return rebuild.immediate();
  }

  /** Fills an empty coarser table from the finer one. */
  private rebuildLevel(from: string, key: string, to: string, target: RollupTable, coarsen: (rollups: MinuteRollup[]) => MinuteRollup[]): void {
    if (this.db.prepare(`SELECT 1 FROM ${to} LIMIT 1`).get() !== undefined) return;
    const finer = this.db.prepare<[], { key: number; model_version: string; fraud: number; non_fraud: number; latency: string }>(
      `SELECT ${key} AS key, model_version, fraud, non_fraud, latency FROM ${from} ORDER BY ${key}`,
    );
    let pending: MinuteRollup[] = [];
    const flush = () => {
      for (const rollup of coarsen(pending)) target.mergeInto(rollup);
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
