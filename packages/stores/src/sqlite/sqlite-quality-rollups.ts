import { contributionOf, labelDelayBucket, type LabelState } from '@vigil/quality';
import type { PredictionRecord } from '@vigil/records';
import type { LabelJoin } from '../labels-joined';
import type { SqliteDatabase } from './open-sqlite';
import { QUALITY_LEVELS, labelStateColumn } from './quality-levels';

/** Minutes since the epoch, as the latency rollups key them. */
function minuteOf(isoTimestamp: string): number {
  return Math.floor(Date.parse(isoTimestamp) / 60_000);
}

/** The prediction side a cell needs. */
type ScoredRow = Pick<PredictionRecord, 'timestamp' | 'model_version' | 'probability' | 'prediction'>;

interface PendingCell {
  readonly level: string;
  readonly key: number;
  readonly model_version: string;
  readonly bin: number;
  readonly prediction: 0 | 1;
  readonly label_state: -1 | 0 | 1;
  count: number;
  sum_p: number;
  sum_p2: number;
  sum_q2: number;
  sum_log_p: number;
  sum_log_q: number;
}

/**
 * One batch's changes to the quality tables, summed in memory first so a
 * batch of thousands of rows costs one upsert per touched cell, not per row.
 */
class QualityDelta {
  readonly cells = new Map<string, PendingCell>();
  readonly delays = new Map<string, PendingDelay>();

  /** Adds (sign 1) or takes away (sign -1) a row from its cell at every level. */
  move(row: ScoredRow, state: LabelState, sign: 1 | -1): void {
    const contribution = contributionOf(row.probability, sign);
    const minute = minuteOf(row.timestamp);
    const labelState = labelStateColumn(state);
    for (const { level, minutes } of QUALITY_LEVELS) {
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
    for (const { level, minutes } of QUALITY_LEVELS) {
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

type PendingDelay = { level: string; key: number; model_version: string; bucket: number; count: number };

/**
 * Keeps quality_cells and quality_label_delay (migration 9) in step with the
 * predictions and labels, inside the writer's transaction: every stored
 * prediction adds to its cell as unlabeled; each label join (the
 * LabelsJoinedHook) moves the row from unlabeled, or from its previous label,
 * to its label, and a first label counts its delay. Additive upserts only, so
 * the cost is per touched cell and never depends on how many rows are stored.
 */
export class SqliteQualityRollups {
  private readonly upsertCells;
  private readonly upsertDelays;
  private readonly labeledAt;

  constructor(private readonly db: SqliteDatabase) {
    const cellKey = ['level', 'key', 'model_version', 'bin', 'prediction', 'label_state'] as const;
    const cellSums = ['count', 'sum_p', 'sum_p2', 'sum_q2', 'sum_log_p', 'sum_log_q'] as const;
    this.upsertCells = new AdditiveUpsert<PendingCell>(db, 'quality_cells', [...cellKey, ...cellSums], cellKey);
    const delayKey = ['level', 'key', 'model_version', 'bucket'] as const;
    this.upsertDelays = new AdditiveUpsert<PendingDelay>(db, 'quality_label_delay', [...delayKey, 'count'], delayKey);
    // The hook runs after the label is written, so the current label's labeled_at is the join's.
    this.labeledAt = db.prepare<[string], string>('SELECT labeled_at FROM labels WHERE prediction_id = ?').pluck();
  }

  /** Newly stored predictions (only the ones the insert added): each adds to its unlabeled cell. */
  predictionsAdded(records: readonly ScoredRow[]): void {
    if (records.length === 0) return;
    const delta = new QualityDelta();
    for (const r of records) delta.move(r, 'unlabeled', 1);
    this.apply(delta);
  }

  /** The LabelsJoinedHook: moves each row to its new label state; a first label counts its delay. */
  readonly labelsJoined = (changes: readonly LabelJoin[]): void => {
    const delta = new QualityDelta();
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
      if (this.db.prepare('SELECT 1 FROM quality_cells LIMIT 1').get() !== undefined) return 0;
      const page = this.db.prepare<[number], ScoredRow & { id: number; label: 0 | 1 | null; labeled_at: string | null }>(
        // The delay is to the first version that arrived: what the live path counted, unless a label was
        // replaced while it still waited for its prediction (then the live path counted the replacement's).
        `SELECT p.id, p.timestamp, p.model_version, p.probability, p.prediction, l.label,
           (SELECT h.labeled_at FROM label_history h WHERE h.prediction_id = p.prediction_id ORDER BY h.version LIMIT 1) AS labeled_at
         FROM predictions p LEFT JOIN labels l ON l.prediction_id = p.prediction_id WHERE p.id > ? ORDER BY p.id LIMIT 20000`,
      );
      let total = 0;
      for (let after = 0; ;) {
        const rows = page.all(after);
        if (rows.length === 0) break;
        const delta = new QualityDelta();
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
    // A cell whose moves cancel out within the batch changes nothing.
    this.upsertCells.run([...delta.cells.values()].filter((cell) => cell.count !== 0));
    this.upsertDelays.run([...delta.delays.values()]);
  }
}
