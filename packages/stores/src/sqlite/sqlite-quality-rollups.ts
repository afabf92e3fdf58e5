import { cellSlotOfColumn, contributionOf, labelDelayBucket, PackedCellMerger, packedBytes, unpackCells, type CellSums, type LabelState } from '@vigil/quality';
import type { PredictionRecord } from '@vigil/records';
import type { LabelJoin } from '../labels-joined';
import type { SqliteDatabase } from './open-sqlite';
import { QUALITY_LEVELS, labelStateColumn, type QualityLevel } from './quality-levels';

/** Minutes since the epoch, as the latency rollups key them. */
function minuteOf(isoTimestamp: string): number {
  return Math.floor(Date.parse(isoTimestamp) / 60_000);
}

const MINUTE_ONLY: readonly QualityLevel[] = QUALITY_LEVELS.slice(0, 1);
const COARSER_LEVELS: readonly QualityLevel[] = QUALITY_LEVELS.slice(1);

/**
 * Minutes are compacted into the hour and day cells once they are this many
 * minutes old: a batch usually holds predictions of the last few seconds, so
 * its rows then go to minute cells only; a later one (a replay, a label) is
 * added at every level directly. Any lag is correct, only the cost moves.
 */
const COMPACTION_LAG_MINUTES = 2;

/** The prediction side a cell needs. */
type ScoredRow = Pick<PredictionRecord, 'timestamp' | 'model_version' | 'probability' | 'prediction'>;

interface PendingCell extends CellSums {
  readonly level: string;
  readonly key: number;
  readonly model_version: string;
  readonly bin: number;
  readonly prediction: 0 | 1;
  readonly label_state: -1 | 0 | 1;
}

/**
 * One batch's changes to the quality tables, summed in memory first so a
 * batch of thousands of rows costs one upsert per touched cell, not per row.
 */
class QualityDelta {
  readonly cells = new Map<string, PendingCell>();
  readonly delays = new Map<string, PendingDelay>();

  /**
   * The minute below which rows are in the hour and day cells too (see
   * migration 10): rows of later minutes go to their minute cell only, and
   * reach the coarser levels when compaction passes their minute.
   */
  constructor(readonly through: number) {}

  /** The levels a row of `minute` is counted at now: every level below `through`, else the minute alone. */
  private levelsOf(minute: number): readonly QualityLevel[] {
    return minute < this.through ? QUALITY_LEVELS : MINUTE_ONLY;
  }

  /** Adds (sign 1) or takes away (sign -1) a row from its cell at every level it is counted at. */
  move(row: ScoredRow, state: LabelState, sign: 1 | -1): void {
    const contribution = contributionOf(row.probability, sign);
    const minute = minuteOf(row.timestamp);
    const labelState = labelStateColumn(state);
    for (const { level, minutes } of this.levelsOf(minute)) {
      const key = Math.floor(minute / minutes);
      const id = `${level}|${key}|${row.model_version}|${contribution.bin}|${row.prediction}|${labelState}`;
      let cell = this.cells.get(id);
      if (cell === undefined) {
        cell = {
          level,
          key,
          model_version: row.model_version,
          bin: contribution.bin,
          prediction: row.prediction,
          label_state: labelState,
          count: 0,
          sum_p: 0,
          sum_p2: 0,
          sum_q2: 0,
          sum_log_p: 0,
          sum_log_q: 0,
        };
        this.cells.set(id, cell);
      }
      cell.count += contribution.count;
      cell.sum_p += contribution.sum_p;
      cell.sum_p2 += contribution.sum_p2;
      cell.sum_q2 += contribution.sum_q2;
      cell.sum_log_p += contribution.sum_log_p;
      cell.sum_log_q += contribution.sum_log_q;
    }
  }

  /** Counts the delay of a prediction's first label. */
  delay(row: Pick<ScoredRow, 'timestamp' | 'model_version'>, labeledAt: string): void {
    const bucket = labelDelayBucket((Date.parse(labeledAt) - Date.parse(row.timestamp)) / 1000);
    const minute = minuteOf(row.timestamp);
    for (const { level, minutes } of this.levelsOf(minute)) {
      const key = Math.floor(minute / minutes);
      const id = `${level}|${key}|${row.model_version}|${bucket}`;
      const entry = this.delays.get(id);
      if (entry === undefined) this.delays.set(id, { level, key, model_version: row.model_version, bucket, count: 1 });
      else entry.count += 1;
    }
  }
}

/**
 * Rows upserted per statement: a batch touches about two cells per row (one
 * per level, rows of one minute sharing bins), and one statement per cell
 * spent most of its time crossing into SQLite; 64 rows of VALUES per
 * statement stay far below SQLite's 32,766 bound parameters.
 */
const ROWS_PER_STATEMENT = 64;

/** An additive upsert (`column = column + excluded.column`) of many rows, 64 to a statement. */
class AdditiveUpsert<Row> {
  private readonly many;
  private readonly one;

  constructor(
    db: SqliteDatabase,
    table: string,
    private readonly columns: readonly (keyof Row & string)[],
    keyColumns: readonly (keyof Row & string)[],
  ) {
    const sums = columns.filter((column) => !keyColumns.includes(column)).map((column) => `${column} = ${column} + excluded.${column}`);
    const statement = (rows: number) =>
      db.prepare<unknown[]>(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => `(${columns.map(() => '?').join(', ')})`).join(', ')}
         ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${sums.join(', ')}`,
      );
    this.many = statement(ROWS_PER_STATEMENT);
    this.one = statement(1);
  }

  run(rows: readonly Row[]): void {
    const values = (from: number, count: number) => {
      const out: unknown[] = [];
      for (let i = from; i < from + count; i++) for (const column of this.columns) out.push(rows[i]![column]);
      return out;
    };
    let i = 0;
    for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) this.many.run(values(i, ROWS_PER_STATEMENT));
    for (; i < rows.length; i++) this.one.run(values(i, 1));
  }
}

function isNoChange(cell: CellSums): boolean {
  return cell.count === 0 && cell.sum_p === 0 && cell.sum_p2 === 0 && cell.sum_q2 === 0 && cell.sum_log_p === 0 && cell.sum_log_q === 0;
}

type PendingDelay = { level: string; key: number; model_version: string; bucket: number; count: number };

type PendingKey = { level: string; key: number; model_version: string };
type PendingRow = [
  bin: number,
  prediction: 0 | 1,
  labelState: -1 | 0 | 1,
  count: number,
  sumP: number,
  sumP2: number,
  sumQ2: number,
  sumLogP: number,
  sumLogQ: number,
];

/**
 * Keeps the quality tables (migrations 9, 10 and 14) in step with the
 * predictions and labels, inside the writer's transaction: every stored
 * prediction adds to its cell as unlabeled; each label join (the
 * LabelsJoinedHook) moves the row from unlabeled, or from its previous label,
 * to its label, and a first label counts its delay. Minute cells go to
 * quality_cells, hour and day cells to quality_pending, which fold() moves
 * into the packed lists later. Additive upserts only, so the cost is per
 * touched cell and never depends on how many rows are stored.
 */
export class SqliteQualityRollups {
  private readonly upsertCells;
  private readonly upsertPending;
  private readonly upsertDelays;
  private readonly labeledAt;
  private readonly selectThrough;
  private readonly setThrough;
  private readonly compactions;
  private readonly pendingKeys;
  private readonly pendingOfKey;
  private readonly packedOfKey;
  private readonly nextGeneration;
  private readonly storePacked;
  private readonly dropPacked;
  private readonly clearPending;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    const cellKey = ['level', 'key', 'model_version', 'bin', 'prediction', 'label_state'] as const;
    const cellSums = ['count', 'sum_p', 'sum_p2', 'sum_q2', 'sum_log_p', 'sum_log_q'] as const;
    this.upsertCells = new AdditiveUpsert<PendingCell>(db, 'quality_cells', [...cellKey, ...cellSums], cellKey);
    this.upsertPending = new AdditiveUpsert<PendingCell>(db, 'quality_pending', [...cellKey, ...cellSums], cellKey);
    const delayKey = ['level', 'key', 'model_version', 'bucket'] as const;
    this.upsertDelays = new AdditiveUpsert<PendingDelay>(db, 'quality_label_delay', [...delayKey, 'count'], delayKey);
    // The hook runs after the label is written, so the current label's labeled_at is the join's.
    this.labeledAt = db.prepare<[string], string>('SELECT labeled_at FROM labels WHERE prediction_id = ?').pluck();
    this.selectThrough = db.prepare<[], number>('SELECT through FROM quality_compaction').pluck();
    this.setThrough = db.prepare<[number]>('UPDATE quality_compaction SET through = ?');
    // Per coarser level: the closed minutes' cells and delays summed into that level's keys.
    const sumsOf = (columns: readonly string[]) => columns.map((column) => `${column} = ${column} + excluded.${column}`).join(', ');
    this.compactions = COARSER_LEVELS.flatMap(({ level, minutes }) => [
      db.prepare<[number, number]>(
        `INSERT INTO quality_pending (${[...cellKey, ...cellSums].join(', ')})
         SELECT '${level}', key / ${minutes}, model_version, bin, prediction, label_state, ${cellSums.map((c) => `sum(${c})`).join(', ')}
         FROM quality_cells WHERE level = 'minute' AND key >= ? AND key < ?
         GROUP BY key / ${minutes}, model_version, bin, prediction, label_state HAVING sum(count) <> 0
         ON CONFLICT (${cellKey.join(', ')}) DO UPDATE SET ${sumsOf(cellSums)}`,
      ),
      db.prepare<[number, number]>(
        `INSERT INTO quality_label_delay (${[...delayKey, 'count'].join(', ')})
         SELECT '${level}', key / ${minutes}, model_version, bucket, sum(count)
         FROM quality_label_delay WHERE level = 'minute' AND key >= ? AND key < ?
         GROUP BY key / ${minutes}, model_version, bucket
         ON CONFLICT (${delayKey.join(', ')}) DO UPDATE SET count = count + excluded.count`,
      ),
    ]);
    // Then the closed minutes' own cells move to pending too (migration 14: quality_cells holds open minutes only).
    this.compactions.push(
      db.prepare<[number, number]>(
        `INSERT INTO quality_pending (${[...cellKey, ...cellSums].join(', ')})
         SELECT ${[...cellKey, ...cellSums].join(', ')} FROM quality_cells WHERE level = 'minute' AND key >= ? AND key < ? AND count <> 0
         ON CONFLICT (${cellKey.join(', ')}) DO UPDATE SET ${sumsOf(cellSums)}`,
      ),
      db.prepare<[number, number]>("DELETE FROM quality_cells WHERE level = 'minute' AND key >= ? AND key < ?"),
    );
    // GROUP BY the primary key's prefix streams, so LIMIT stops the scan after the keys it takes.
    this.pendingKeys = db.prepare<[number], PendingKey>('SELECT level, key, model_version FROM quality_pending GROUP BY level, key, model_version LIMIT ?');
    const ofKey = 'WHERE level = ? AND key = ? AND model_version = ?';
    this.pendingOfKey = db
      .prepare<[string, number, string], PendingRow>(`SELECT bin, prediction, label_state, ${cellSums.join(', ')} FROM quality_pending ${ofKey}`)
      .raw();
    this.packedOfKey = db.prepare<[string, number, string], Buffer>(`SELECT cells FROM quality_packed ${ofKey}`).pluck();
    this.nextGeneration = db.prepare<[], number>('UPDATE quality_fold SET generation = generation + 1 RETURNING generation').pluck();
    this.storePacked = db.prepare<[string, number, string, number, Buffer]>(
      `INSERT INTO quality_packed (level, key, model_version, generation, cells) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (level, key, model_version) DO UPDATE SET generation = excluded.generation, cells = excluded.cells`,
    );
    this.dropPacked = db.prepare<[string, number, string]>(`DELETE FROM quality_packed ${ofKey}`);
    this.clearPending = db.prepare<[string, number, string]>(`DELETE FROM quality_pending ${ofKey}`);
  }

  /**
   * Folds the pending cells of at most `maxKeys` keys (level, key, model
   * version) into their packed lists, in the caller's transaction; returns
   * the keys folded (0: nothing is pending). Each key costs one read and one
   * write of its packed list, so a caller folds a few keys per transaction
   * and keeps the write lock short.
   */
  fold(maxKeys: number): number {
    const keys = this.pendingKeys.all(maxKeys);
    if (keys.length === 0) return 0;
    const generation = this.nextGeneration.get()!;
    for (const { level, key, model_version } of keys) {
      const merger = new PackedCellMerger();
      const stored = this.packedOfKey.get(level, key, model_version);
      if (stored !== undefined) merger.addPacked(unpackCells(stored));
      for (const [bin, prediction, labelState, count, sumP, sumP2, sumQ2, sumLogP, sumLogQ] of this.pendingOfKey.all(level, key, model_version)) {
        merger.add(cellSlotOfColumn(bin, prediction, labelState), count, sumP, sumP2, sumQ2, sumLogP, sumLogQ);
      }
      const packed = merger.toPacked();
      if (packed.length > 0) this.storePacked.run(level, key, model_version, generation, packedBytes(packed));
      else this.dropPacked.run(level, key, model_version);
      this.clearPending.run(level, key, model_version);
    }
    return keys.length;
  }

  /**
   * Moves the closed minutes into the hour and day cells (pending), in the caller's
   * transaction, and returns the new `through`. One statement per level and
   * table, whatever the number of batches those minutes took.
   */
  private compact(): number {
    const through = this.selectThrough.get() ?? 0;
    const target = Math.floor(this.now() / 60_000) - COMPACTION_LAG_MINUTES + 1;
    if (target <= through) return through;
    for (const statement of this.compactions) statement.run(through, target);
    this.setThrough.run(target);
    return target;
  }

  /** Newly stored predictions (only the ones the insert added): each adds to its unlabeled cell. */
  predictionsAdded(records: readonly ScoredRow[]): void {
    if (records.length === 0) return;
    const delta = new QualityDelta(this.compact());
    for (const r of records) delta.move(r, 'unlabeled', 1);
    this.apply(delta);
  }

  /** The LabelsJoinedHook: moves each row to its new label state; a first label counts its delay. */
  readonly labelsJoined = (changes: readonly LabelJoin[]): void => {
    const delta = new QualityDelta(this.compact());
    for (const change of changes) {
      if (change.previous === change.label) continue; // a later decision that agrees moves nothing
      delta.move(change.prediction, change.previous ?? 'unlabeled', -1);
      delta.move(change.prediction, change.label, 1);
      if (change.previous === null) {
        const labeledAt = this.labeledAt.get(change.prediction_id);
        if (labeledAt !== undefined) delta.delay(change.prediction, labeledAt);
      }
    }
    this.apply(delta);
  };

  /**
   * Fills the tables from the stored rows and their labels when they are
   * empty but predictions exist (a database from before migration 9), in one
   * IMMEDIATE transaction so two workers starting together cannot both count.
   * Returns the rows counted.
   */
  rebuildIfMissing(): number {
    const rebuild = this.db.transaction(() => {
      const counted = this.db.prepare(
        'SELECT EXISTS (SELECT 1 FROM quality_cells) OR EXISTS (SELECT 1 FROM quality_pending) OR EXISTS (SELECT 1 FROM quality_packed)',
      );
      if (counted.pluck().get() === 1) return 0;
      const page = this.db.prepare<[number], ScoredRow & { id: number; label: 0 | 1 | null; labeled_at: string | null }>(
        // The delay is to the first version that arrived: what the live path counted, unless a label was
        // replaced while it still waited for its prediction (then the live path counted the replacement's).
        `SELECT p.id, p.timestamp, p.model_version, p.probability, p.prediction, l.label,
           (SELECT h.labeled_at FROM label_history h WHERE h.prediction_id = p.prediction_id ORDER BY h.version LIMIT 1) AS labeled_at
         FROM predictions p LEFT JOIN labels l ON l.prediction_id = p.prediction_id WHERE p.id > ? ORDER BY p.id LIMIT 20000`,
      );
      let total = 0;
      const through = this.compact();
      for (let after = 0; ;) {
        const rows = page.all(after);
        if (rows.length === 0) break;
        const delta = new QualityDelta(through);
        for (const row of rows) {
          delta.move(row, row.label ?? 'unlabeled', 1);
          if (row.label !== null && row.labeled_at !== null) delta.delay(row, row.labeled_at);
        }
        this.apply(delta);
        total += rows.length;
        after = rows[rows.length - 1]!.id;
      }
      return total;
    });
    return rebuild.immediate();
  }

  private apply(delta: QualityDelta): void {
    // A cell whose moves cancel out within the batch changes nothing. A count that nets to 0 is not
    // enough: one row moving out and another moving in leaves the difference of their sums.
    const open: PendingCell[] = [];
    const pending: PendingCell[] = [];
    // Open minutes (from `through` on) are cells; closed minutes, hours and days are pending until folded.
    for (const cell of delta.cells.values()) if (!isNoChange(cell)) (cell.level === 'minute' && cell.key >= delta.through ? open : pending).push(cell);
    this.upsertCells.run(open);
    this.upsertPending.run(pending);
    this.upsertDelays.run([...delta.delays.values()]);
  }
}
