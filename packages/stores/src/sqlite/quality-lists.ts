import { cellSlotOfColumn, PackedCellMerger, packedBytes, unpackCells, type CellSums } from '@vigil/quality';
import type { SqliteDatabase } from './open-sqlite';
import { QUALITY_LEVELS } from './quality-levels';

const COARSER_LEVELS = QUALITY_LEVELS.slice(1);

/** One cell of a level, key and model version, as quality_cells stores it. */
export interface StoredCell extends CellSums {
  readonly level: string;
  readonly key: number;
  readonly model_version: string;
  readonly bin: number;
  readonly prediction: 0 | 1;
  readonly label_state: -1 | 0 | 1;
}

type PendingKey = { level: string; key: number; model_version: string };

/**
 * The closed keys' cells of migration 14: a packed list per level, key and
 * model version (quality_packed), and the changes not folded into it yet
 * (quality_pending, also packed lists, any number per key). A key's cells
 * are its list plus its pending lists. Writing a change is one INSERT per
 * touched key, whatever the number of cells: a batch of 500 predictions of
 * one minute is three rows (its minute, hour and day), where an upsert per
 * cell was ~500 for the minute alone (and the hours and days were compacted
 * from the minutes later).
 */
export class QualityLists {
  private readonly insertPendingList;
  private readonly pendingKeys;
  private readonly pendingOfKey;
  private readonly packedOfKey;
  private readonly nextGeneration;
  private readonly storePacked;
  private readonly dropPacked;
  private readonly clearPending;

  constructor(db: SqliteDatabase) {
    this.insertPendingList = db.prepare<[string, number, string, number, Buffer]>(
      'INSERT INTO quality_pending (level, key, model_version, derives, cells) VALUES (?, ?, ?, ?, ?)',
    );
    // The index on (level, key, model_version) gives the keys in order, so LIMIT stops the scan after the keys it takes.
    this.pendingKeys = db.prepare<[number], PendingKey>('SELECT DISTINCT level, key, model_version FROM quality_pending LIMIT ?');
    const ofKey = 'WHERE level = ? AND key = ? AND model_version = ?';
    this.pendingOfKey = db.prepare<[string, number, string], { derives: 0 | 1; cells: Buffer }>(`SELECT derives, cells FROM quality_pending ${ofKey}`);
    this.packedOfKey = db.prepare<[string, number, string], Buffer>(`SELECT cells FROM quality_packed ${ofKey}`).pluck();
    this.nextGeneration = db.prepare<[], number>('UPDATE quality_fold SET generation = generation + 1 RETURNING generation').pluck();
    this.storePacked = db.prepare<[string, number, string, number, Buffer]>(
      `INSERT INTO quality_packed (level, key, model_version, generation, cells) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (level, key, model_version) DO UPDATE SET generation = excluded.generation, cells = excluded.cells`,
    );
    this.dropPacked = db.prepare<[string, number, string]>(`DELETE FROM quality_packed ${ofKey}`);
    this.clearPending = db.prepare<[string, number, string]>(`DELETE FROM quality_pending ${ofKey}`);
  }

  /** Adds cells as pending changes, one packed list per level, key and model version (inside the caller's transaction). */
  addPending(cells: Iterable<StoredCell>): void {
    const byKey = new Map<string, { key: PendingKey; merger: PackedCellMerger }>();
    for (const cell of cells) {
      const id = `${cell.level}|${cell.key}|${cell.model_version}`;
      let entry = byKey.get(id);
      if (entry === undefined) {
        entry = { key: { level: cell.level, key: cell.key, model_version: cell.model_version }, merger: new PackedCellMerger() };
        byKey.set(id, entry);
      }
      entry.merger.add(
        cellSlotOfColumn(cell.bin, cell.prediction, cell.label_state),
        cell.count,
        cell.sum_p,
        cell.sum_p2,
        cell.sum_q2,
        cell.sum_log_p,
        cell.sum_log_q,
      );
    }
    for (const { key, merger } of byKey.values()) this.insertPending(key.level, key.key, key.model_version, merger.toPacked());
  }

  /**
   * Adds one packed list of changes to a key (nothing for an empty one).
   * `derives`: a minute's list whose hour and day are changed alike, added
   * to them when it is folded (readers add it to them until then).
   */
  insertPending(level: string, key: number, modelVersion: string, cells: Float64Array, derives = false): void {
    if (cells.length > 0) this.insertPendingList.run(level, key, modelVersion, derives ? 1 : 0, packedBytes(cells));
  }

  /**
   * Folds the pending lists of at most `maxKeys` keys into their packed
   * lists, in the caller's transaction; returns the keys folded (0: nothing
   * is pending). Every list it writes gets this fold's generation, a number
   * never used before, so readers that keep sums by (key, generation) see
   * the change. Each key costs one read and one write of its list, so a
   * caller folds a few keys per transaction and keeps the write lock short.
   */
  fold(maxKeys: number): number {
    const keys = this.pendingKeys.all(maxKeys);
    if (keys.length === 0) return 0;
    const generation = this.nextGeneration.get()!;
    for (const { level, key, model_version } of keys) {
      const merger = new PackedCellMerger();
      const stored = this.packedOfKey.get(level, key, model_version);
      if (stored !== undefined) merger.addPacked(unpackCells(stored));
      const derived = new PackedCellMerger();
      for (const { derives, cells } of this.pendingOfKey.all(level, key, model_version)) {
        merger.addPacked(unpackCells(cells));
        if (derives === 1) derived.addPacked(unpackCells(cells));
      }
      // A minute's derived changes become its hour's and day's pending lists, folded in a later round.
      const changes = derived.toPacked();
      for (const coarser of COARSER_LEVELS) this.insertPending(coarser.level, Math.floor(key / coarser.minutes), model_version, changes);
      const packed = merger.toPacked();
      if (packed.length > 0) this.storePacked.run(level, key, model_version, generation, packedBytes(packed));
      else this.dropPacked.run(level, key, model_version);
      this.clearPending.run(level, key, model_version);
    }
    return keys.length;
  }
}
