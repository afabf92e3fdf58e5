import { cellSlotOfColumn, contributionOf, labelDelayBucket, PackedCellMerger, type LabelState } from '@vigil/quality';
import type { PredictionRecord } from '@vigil/records';
import { minuteOf } from '@vigil/rollups';
import type { LabelJoin } from '../labels-joined';
import type { SqliteDatabase } from './open-sqlite';
import { QualityLists } from './quality-lists';
import { QUALITY_LEVELS, labelStateColumn, type QualityLevel } from './quality-levels';

const MINUTE_ONLY: readonly QualityLevel[] = QUALITY_LEVELS.slice(0, 1);
const COARSER_LEVELS: readonly QualityLevel[] = QUALITY_LEVELS.slice(1);

/**
 * Minutes' label delays are compacted into the hour and day delays once they
 * are this many minutes old: a batch usually holds predictions of the last
 * few seconds, so their first labels' delays then go to the minute only; a
 * later one is added at every level directly. Any lag is correct, only the
 * cost moves.
 */
const COMPACTION_LAG_MINUTES = 2;

/** The prediction side a cell needs. */
type ScoredRow = Pick<PredictionRecord, 'timestamp' | 'model_version' | 'probability' | 'prediction'>;

/** One list of changes a batch makes: a level, key and model version, and its cells. */
interface ListChange {
  readonly level: string;
  readonly key: number;
  readonly model_version: string;
  readonly cells: PackedCellMerger;
}

/**
 * One batch's changes to the quality tables, summed in memory first so a
 * batch of thousands of rows costs one pending list per touched key (at
 * every level) and one upsert per touched delay bucket, not a write per row.
 */
class QualityDelta {
  readonly lists = new Map<string, ListChange>();
  readonly delays = new Map<string, PendingDelay>();
  /** The lists of the last row's minute and version: the rows of a batch mostly share them. */
  private last: { minute: number; version: string; lists: ListChange[] } | undefined;

  /**
   * `through`: the minute below which delays are in the hours and days too
   * (migration 10): delays of later minutes go to their minute only, and
   * reach the coarser levels when compaction passes their minute.
   * `derive`: cells change in the minute's list only, marked to change its
   * hour and day alike when folded (stored predictions: one list a batch);
   * else in all three (labels, whose rows are spread over many days).
   */
  constructor(
    private readonly through: number,
    readonly derive: boolean,
  ) {}

  /** Adds (sign 1) or takes away (sign -1) a row from its cell in its minute, hour and day (see `derive`). */
  move(row: ScoredRow, state: LabelState, sign: 1 | -1): void {
    const c = contributionOf(row.probability, sign);
    const slot = cellSlotOfColumn(c.bin, row.prediction, labelStateColumn(state));
    for (const list of this.listsOf(minuteOf(row.timestamp), row.model_version)) {
      list.cells.add(slot, c.count, c.sum_p, c.sum_p2, c.sum_q2, c.sum_log_p, c.sum_log_q);
    }
  }

  private listsOf(minute: number, version: string): ListChange[] {
    if (this.last?.minute === minute && this.last.version === version) return this.last.lists;
    const lists = (this.derive ? MINUTE_ONLY : QUALITY_LEVELS).map(({ level, minutes }) => {
      const key = Math.floor(minute / minutes);
      const id = `${level}|${key}|${version}`;
      let list = this.lists.get(id);
      if (list === undefined) {
        list = { level, key, model_version: version, cells: new PackedCellMerger() };
        this.lists.set(id, list);
      }
      return list;
    });
    this.last = { minute, version, lists };
    return lists;
  }

  /** Counts the delay of a prediction's first label. */
  delay(row: Pick<ScoredRow, 'timestamp' | 'model_version'>, labeledAt: string): void {
    const bucket = labelDelayBucket((Date.parse(labeledAt) - Date.parse(row.timestamp)) / 1000);
    const minute = minuteOf(row.timestamp);
    for (const { level, minutes } of minute < this.through ? QUALITY_LEVELS : MINUTE_ONLY) {
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
 * Keeps the quality tables (migrations 9, 10 and 14) in step with the
 * predictions and labels, inside the writer's transaction: every stored
 * prediction adds to its cell as unlabeled; each label join (the
 * LabelsJoinedHook) moves the row from unlabeled, or from its previous label,
 * to its label, and a first label counts its delay. Cells change as pending
 * lists of the minute, hour and day they touch (QualityLists), folded into
 * the packed lists later; delays are additive upserts. The cost is per
 * touched key or delay bucket, never per row stored.
 */
export class SqliteQualityRollups {
  private readonly upsertDelays;
  private readonly labeledAt;
  private readonly selectThrough;
  private readonly setThrough;
  private readonly delayCompactions;
  private readonly lists: QualityLists;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    const delayKey = ['level', 'key', 'model_version', 'bucket'] as const;
    this.upsertDelays = new AdditiveUpsert<PendingDelay>(db, 'quality_label_delay', [...delayKey, 'count'], delayKey);
    this.lists = new QualityLists(db);
    // The hook runs after the label is written, so the current label's labeled_at is the join's.
    this.labeledAt = db.prepare<[string], string>('SELECT labeled_at FROM labels WHERE prediction_id = ?').pluck();
    this.selectThrough = db.prepare<[], number>('SELECT through FROM quality_compaction').pluck();
    this.setThrough = db.prepare<[number]>('UPDATE quality_compaction SET through = ?');
    // Per coarser level: the closed minutes' delays summed into that level's keys.
    this.delayCompactions = COARSER_LEVELS.map(({ level, minutes }) =>
      db.prepare<[number, number]>(
        `INSERT INTO quality_label_delay (${[...delayKey, 'count'].join(', ')})
         SELECT '${level}', key / ${minutes}, model_version, bucket, sum(count)
         FROM quality_label_delay WHERE level = 'minute' AND key >= ? AND key < ?
         GROUP BY key / ${minutes}, model_version, bucket
         ON CONFLICT (${delayKey.join(', ')}) DO UPDATE SET count = count + excluded.count`,
      ),
    );
  }

  /** See QualityLists.fold: the pending lists of at most `maxKeys` keys into their packed lists; returns the keys folded. */
  fold(maxKeys: number): number {
    return this.lists.fold(maxKeys);
  }

  /**
   * Moves the closed minutes' label delays into the hour and day delays, in
   * the caller's transaction, and returns the new `through`. One statement
   * per level, whatever the number of batches those minutes took.
   */
  private compact(): number {
    const through = this.selectThrough.get() ?? 0;
    const target = Math.floor(this.now() / 60_000) - COMPACTION_LAG_MINUTES + 1;
    if (target <= through) return through;
    for (const statement of this.delayCompactions) statement.run(through, target);
    this.setThrough.run(target);
    return target;
  }

  /** Newly stored predictions (only the ones the insert added): each adds to its unlabeled cell. */
  predictionsAdded(records: readonly ScoredRow[]): void {
    if (records.length === 0) return;
    const delta = new QualityDelta(this.compact(), true);
    for (const r of records) delta.move(r, 'unlabeled', 1);
    this.apply(delta);
  }

  /** The LabelsJoinedHook: moves each row to its new label state; a first label counts its delay. */
  readonly labelsJoined = (changes: readonly LabelJoin[]): void => {
    const delta = new QualityDelta(this.compact(), false);
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
      const counted = this.db.prepare('SELECT EXISTS (SELECT 1 FROM quality_pending) OR EXISTS (SELECT 1 FROM quality_packed)');
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
        const delta = new QualityDelta(through, false);
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
    for (const { level, key, model_version, cells } of delta.lists.values())
      this.lists.insertPending(level, key, model_version, cells.toPacked(), delta.derive);
    this.upsertDelays.run([...delta.delays.values()]);
  }
}
