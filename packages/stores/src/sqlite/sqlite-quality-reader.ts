import { CellGroups, unpackCells, type QualityCell } from '@vigil/quality';
import { ROLLUP_LEVELS, spanPlan, type RollupLevel } from '@vigil/rollups';
import { openSqlite, type SqliteDatabase } from './open-sqlite';
import { PackedBucket, type PackedRead, type PackedRef } from './packed-bucket';
import { PackedRangeSums } from './packed-range-sums';
import { StampedCache } from './stamped-cache';
import { QUALITY_LEVELS } from './quality-levels';

/** The quality cells of a span of time, summed over its keys, and its label delays (bucket → count). */
export interface QualitySpan {
  readonly cells: QualityCell[];
  readonly labelDelays: Map<number, number>;
  /**
   * Set when the cells are stored packed lists as they are (nothing pending): while a later
   * read gives the same stamp, its cells are the same, so figures made from them can be kept
   * (PerformanceService does), and its label delays too: a label that changes them writes
   * pending lists of the same keys in the same transaction, and compaction (minutes' delays
   * into their hours and days) only moves delays between the rows a read adds up.
   */
  readonly stamp?: string;
}

/** One key of a timeline: its start (minutes since the epoch) and its cells. */
export interface QualityBucket extends QualitySpan {
  readonly minute: number;
  /** As QualitySpan's; read it after `cells`: a bucket whose lists changed in between answers its current cells and no stamp. */
  readonly stamp?: string;
}

/** Reads of the quality rollups (quality_packed and quality_pending, quality_label_delay) that the performance endpoints serve. */
export interface QualityReader {
  /** Cells of the predictions made from `sinceMinute` on, for one model version or all. */
  span(sinceMinute: number, modelVersion: string | undefined): Promise<QualitySpan>;
  /** Cells per key of `level` (minute, hour or day) from the key holding `sinceMinute` on, oldest first. */
  timeline(sinceMinute: number, level: RollupLevel['key'], modelVersion: string | undefined): Promise<QualityBucket[]>;
  /** The model versions with predictions from `sinceMinute` on (the same keys span reads), sorted. */
  modelVersions(sinceMinute: number): Promise<string[]>;
  /** A Postgres reader ends its pool: await it before exiting. */
  close(): void | Promise<void>;
}

type Span = Record<string, number | string | null>;
type TimelineParams = { level: string; from: number; minutes: number; version: string | null };
type KeyParams = { level: string; key: number; minutes: number; version: string | null };

/** The named parameters of the span filter: one range per level of spanPlan(). */
function spanParams(sinceMinute: number, modelVersion: string | undefined): Span {
  const params: Span = { version: modelVersion ?? null };
  spanPlan(sinceMinute).forEach(({ from, to }, i) => {
    params[`from${i}`] = from;
    if (to !== undefined) params[`to${i}`] = to;
  });
  return params;
}

const packedRefs = (refs: readonly (PackedRef & { key: number })[]) => refs.map((r) => `${r.key}:${r.model_version}@${r.generation}`).join(',');

/**
 * The quality rollups the API reads, from the SQLite file the worker writes (see spanPlan for the keys a
 * window reads): each minute, hour and day is its packed list (quality_packed) plus the lists of changes
 * not folded into it yet (quality_pending), summed cell by cell (CellGroups), nothing allocated per cell.
 * The sums of a window's unchanged packed lists are kept (PackedRangeSums), so a dashboard polling the same
 * windows adds one list per level and the pending ones.
 */
export class SqliteQualityReader implements QualityReader {
  private readonly ranges;
  private readonly rangeSums = new PackedRangeSums();
  /** The cells of windows whose lists are all packed, by their stamp: a polled window answers without summing. */
  private readonly spanCells = new StampedCache<QualityCell[]>(16);
  private readonly spanDelays;
  private readonly spanVersions;
  private readonly timelinePending;
  private readonly timelinePacked;
  private readonly keyDelays;
  private readonly packedAt;
  private readonly keyPending;
  private readonly keyPacked;

  constructor(private readonly db: SqliteDatabase) {
    // One range per level of spanPlan(): minutes to the first whole hour, hours to the first whole day, then days.
    const last = QUALITY_LEVELS.length - 1;
    const ranges = QUALITY_LEVELS.map(({ level }, i) => `level = '${level}' AND key >= @from${i}${i < last ? ` AND key < @to${i}` : ''}`);
    const version = '(@version IS NULL OR model_version = @version)';
    const select = (columns: string, table: string, range: string) => `SELECT ${columns} FROM ${table} WHERE ${range} AND ${version}`;
    // A coarser range also holds the derived minute lists of its minutes (see migration 14): not yet in its hours' and days' lists.
    const derivedRanges = QUALITY_LEVELS.map(({ minutes }, i) =>
      i === 0 ? undefined : `derives = 1 AND key >= @from${i} * ${minutes}${i < last ? ` AND key < @to${i} * ${minutes}` : ''}`,
    );
    // Per range: its pending lists (and derived ones); its packed lists' stamps (key, version, generation), and the lists when their sum is not kept.
    this.ranges = ranges.map((range, i) => ({
      pending: db
        .prepare<[Span], Buffer>(
          [range, derivedRanges[i]]
            .filter((r) => r !== undefined)
            .map((r) => select('cells', 'quality_pending', r))
            .join(' UNION ALL '),
        )
        .pluck(),
      refs: db.prepare<[Span], PackedRef & { key: number }>(`${select('key, model_version, generation', 'quality_packed', range)} ORDER BY key, model_version`),
      lists: db.prepare<[Span], Buffer>(select('cells', 'quality_packed', range)).pluck(),
    }));
    this.spanVersions = db
      .prepare<[Span], string>(
        `${[
          ...['quality_pending', 'quality_packed'].flatMap((table) => ranges.map((range) => select('DISTINCT model_version', table, range))),
          ...derivedRanges.filter((r) => r !== undefined).map((r) => select('DISTINCT model_version', 'quality_pending', r)),
        ].join(' UNION ')} ORDER BY 1`,
      )
      .pluck();
    // Label delays are rows (migration 10): the hours and days hold only minutes below quality_compaction.through,
    // so the minute range stops there and every minute from it on is read from the minutes.
    const through = '(SELECT through FROM quality_compaction)';
    const delayRanges = [
      `level = 'minute' AND key >= @from0 AND key < min(@to0, ${through})`,
      `level = 'minute' AND key >= max(@from0, ${through})`,
      ...ranges.slice(1),
    ];
    const delays = delayRanges.map((range) => select('bucket, count', 'quality_label_delay', range)).join(' UNION ALL ');
    this.spanDelays = db.prepare<[Span], { bucket: number; count: number }>(`SELECT bucket, sum(count) AS count FROM (${delays}) GROUP BY bucket`);
    this.timelinePending = db.prepare<[TimelineParams], { key: number; cells: Buffer }>(
      `SELECT key, cells FROM quality_pending WHERE level = @level AND key >= @from AND ${version}
       UNION ALL
       SELECT key / CAST(@minutes AS INTEGER) AS key, cells FROM quality_pending
       WHERE @minutes > 1 AND derives = 1 AND key >= @from * @minutes AND ${version}`,
    );
    // Not the lists themselves: a key with nothing pending is decoded only if its figures are not kept already.
    this.timelinePacked = db.prepare<[TimelineParams], PackedRef & { key: number }>(
      `SELECT key, model_version, generation FROM quality_packed WHERE level = @level AND key >= @from AND ${version} ORDER BY key, model_version`,
    );
    this.packedAt = db
      .prepare<[string, number, string, number], Buffer>(
        'SELECT cells FROM quality_packed WHERE level = ? AND key = ? AND model_version = ? AND generation = ?',
      )
      .pluck();
    // One key's delays. A coarser level's lack the minutes from quality_compaction.through on: those come from its minutes.
    this.keyDelays = db.prepare<[KeyParams], { bucket: number; count: number }>(
      `SELECT bucket, sum(count) AS count FROM (
         SELECT bucket, count FROM quality_label_delay WHERE level = @level AND key = @key AND ${version}
         UNION ALL
         SELECT bucket, count FROM quality_label_delay
         WHERE @minutes > 1 AND level = 'minute' AND key >= max(@key * @minutes, ${through}) AND key < (@key + 1) * @minutes AND ${version}
       ) GROUP BY bucket`,
    );
    // One key of a timeline read afresh (PackedBucket): its pending lists (and its minutes' derived ones) and its lists.
    this.keyPending = db
      .prepare<[KeyParams], Buffer>(
        `SELECT cells FROM quality_pending WHERE level = @level AND key = @key AND ${version}
         UNION ALL
         SELECT cells FROM quality_pending
         WHERE @minutes > 1 AND derives = 1 AND key >= @key * @minutes AND key < (@key + 1) * @minutes AND ${version}`,
      )
      .pluck();
    this.keyPacked = db.prepare<[KeyParams], PackedRef & { cells: Buffer }>(
      `SELECT model_version, generation, cells FROM quality_packed WHERE level = @level AND key = @key AND ${version} ORDER BY model_version`,
    );
  }

  static open(path: string): SqliteQualityReader {
    return new SqliteQualityReader(openSqlite(path));
  }

  async span(sinceMinute: number, modelVersion: string | undefined): Promise<QualitySpan> {
    const params = spanParams(sinceMinute, modelVersion);
    // One read transaction: cells and delays of the same committed batches.
    return this.db.transaction(() => {
      const labelDelays = new Map(this.spanDelays.all(params).map(({ bucket, count }) => [bucket, count]));
      const pending = this.ranges.map((range) => range.pending.all(params));
      const refs = this.ranges.map((range) => packedRefs(range.refs.all(params)));
      const stamp = pending.every((lists) => lists.length === 0) ? refs.join('|') : undefined;
      const kept = stamp === undefined ? undefined : this.spanCells.get(stamp);
      if (kept !== undefined) return { cells: kept, labelDelays, stamp };
      const groups = new CellGroups();
      this.ranges.forEach(({ lists }, i) => {
        for (const list of pending[i]!) groups.addPacked(0, unpackCells(list));
        groups.addPacked(
          0,
          this.rangeSums.sum(`${i}|${refs[i]}`, () => lists.all(params)),
        );
      });
      const cells = groups.cells(0);
      if (stamp !== undefined) this.spanCells.set(stamp, cells);
      return { cells, labelDelays, stamp };
    })();
  }

  async modelVersions(sinceMinute: number): Promise<string[]> {
    return this.spanVersions.all(spanParams(sinceMinute, undefined));
  }

  async timeline(sinceMinute: number, level: RollupLevel['key'], modelVersion: string | undefined): Promise<QualityBucket[]> {
    const { minutes } = QUALITY_LEVELS.find((l) => l.level === level)!;
    const from = Math.floor(sinceMinute / minutes);
    const params: TimelineParams = { level, from, minutes, version: modelVersion ?? null };
    const { buckets, packedOnly } = this.db.transaction(() => {
      const groups = new CellGroups();
      for (const { key, cells } of this.timelinePending.all(params)) groups.addPacked(key, unpackCells(cells));
      const withPending = new Set(groups.keys());
      // A key with pending lists (its own, or its minutes' derived ones): its packed lists are added to them now, in this snapshot.
      const packedOnly = new Map<number, PackedRef[]>();
      for (const { key, model_version, generation } of this.timelinePacked.all(params)) {
        if (withPending.has(key)) groups.addPacked(key, unpackCells(this.packedAt.get(level, key, model_version, generation)!));
        else packedOnly.set(key, [...(packedOnly.get(key) ?? []), { model_version, generation }]);
      }
      const buckets: QualityBucket[] = groups.keys().map((key) => ({
        minute: key * minutes,
        cells: groups.cells(key),
        labelDelays: this.delaysOf({ level, key, minutes, version: params.version }),
      }));
      return { buckets, packedOnly };
    })();
    for (const [key, refs] of packedOnly) {
      const stamp = `${level}:${key}:${refs.map((r) => `${r.model_version}@${r.generation}`).join(',')}`;
      buckets.push(new PackedBucket(key * minutes, stamp, () => this.packedCells({ level, key, minutes, version: params.version }, refs)));
    }
    return buckets.sort((a, b) => a.minute - b.minute);
  }

  /** One key's label delays (bucket → count). */
  private delaysOf(key: KeyParams): Map<number, number> {
    return new Map(this.keyDelays.all(key).map(({ bucket, count }) => [bucket, count]));
  }

  /**
   * A packed-only key's cells, read afresh: its lists as the timeline saw
   * them, or, if a fold or a write changed the key since, all it holds now
   * (`unchanged` false, so the bucket drops its stamp).
   */
  private packedCells(key: KeyParams, refs: readonly PackedRef[]): PackedRead {
    return this.db.transaction(() => {
      const groups = new CellGroups();
      for (const pending of this.keyPending.all(key)) groups.addPacked(0, unpackCells(pending));
      const hadPending = groups.keys().length > 0;
      const stored = this.keyPacked.all(key);
      for (const { cells } of stored) groups.addPacked(0, unpackCells(cells));
      const labelDelays = this.delaysOf(key);
      const unchanged =
        !hadPending &&
        stored.length === refs.length &&
        stored.every((s, i) => s.model_version === refs[i]!.model_version && s.generation === refs[i]!.generation);
      return { cells: groups.cells(0), labelDelays, unchanged };
    })();
  }

  close(): void {
    this.db.close();
  }
}

/** The rollup levels a timeline can be bucketed by. */
export const QUALITY_TIMELINE_LEVELS: readonly RollupLevel['key'][] = ROLLUP_LEVELS.map(({ key }) => key);
