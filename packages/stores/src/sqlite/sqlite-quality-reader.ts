import { CellGroups, unpackCells, type QualityCell } from '@vigil/quality';
import { ROLLUP_LEVELS, spanPlan, type RollupLevel } from '@vigil/rollups';
import { openSqlite, type SqliteDatabase } from './open-sqlite';
import { PackedBucket, type PackedRead, type PackedRef } from './packed-bucket';
import { PackedRangeSums } from './packed-range-sums';
import { labelStateOf, QUALITY_LEVELS } from './quality-levels';

/** The quality cells of a span of time, summed over its keys, and its label delays (bucket → count). */
export interface QualitySpan {
  readonly cells: QualityCell[];
  readonly labelDelays: Map<number, number>;
}

/** One key of a timeline: its start (minutes since the epoch) and its cells. */
export interface QualityBucket extends QualitySpan {
  readonly minute: number;
  /**
   * Set when the bucket's cells are stored packed lists as they are (nothing pending, no open
   * minutes): while a later read gives the same stamp, its cells are the same, so figures made
   * from them can be kept (PerformanceService does). Read it after `cells`: a bucket whose lists
   * changed in between answers its current cells and no stamp.
   */
  readonly stamp?: string;
}

/** Reads of the quality rollups (quality_cells, quality_label_delay) that the performance endpoints serve. */
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

/** The stored columns of a cell, in the order the summing function takes them after its group. */
const CELL_COLUMNS = 'bin, prediction, label_state, count, sum_p, sum_p2, sum_q2, sum_log_p, sum_log_q';

/** Each reader registers its own summing function on its connection, so two readers of one connection never share a target. */
let readersOpened = 0;

/** The named parameters of the span filter: one range per level of spanPlan(). */
function spanParams(sinceMinute: number, modelVersion: string | undefined): Span {
  const params: Span = { version: modelVersion ?? null };
  spanPlan(sinceMinute).forEach(({ from, to }, i) => {
    params[`from${i}`] = from;
    if (to !== undefined) params[`to${i}`] = to;
  });
  return params;
}

/**
 * The quality rollups the API reads, from the SQLite file the worker writes (see spanPlan for the keys a window reads):
 * minutes from quality_cells, hours and days from their packed lists (quality_packed) plus the cells not
 * yet folded into them (quality_pending), which together are each key's cells (migration 14).
 *
 * Cells are summed by a JavaScript aggregate (CellGroups) rather than SQL's GROUP BY: a 30-day window
 * of a million predictions reads ~54,000 stored cells, and the GROUP BY's sort of them (spilled to a
 * temporary file) with the OR's duplicate check was ~70% of the read (107 ms of it; ~35 ms then). The
 * aggregate sums each row as SQLite steps over it in primary-key order, nothing allocated per row; a
 * packed list is summed the same way, cell by cell, without a row per cell.
 */
export class SqliteQualityReader implements QualityReader {
  private readonly spanCells;
  private readonly rangeLists;
  private readonly rangeSums = new PackedRangeSums();
  private readonly spanDelays;
  private readonly timelineCells;
  private readonly timelinePacked;
  private readonly timelineDelays;
  private readonly packedAt;
  private readonly keyRows;
  private readonly keyPacked;
  private readonly spanVersions;
  /** Where the summing function adds the rows of the statement running now (reads are synchronous). */
  private target: CellGroups | undefined;

  constructor(private readonly db: SqliteDatabase) {
    const sumCells = `vigil_quality_cells_${++readersOpened}`;
    // Named parameters, not a rest array: better-sqlite3 takes the SQL arity from step.length, and nothing is allocated per row.
    // The stored label_state is -1 | 0 | 1 and prediction 0 | 1 (CHECK constraints of migration 9).
    const step = (
      _rows: unknown,
      group: number,
      bin: number,
      prediction: 0 | 1,
      labelState: -1 | 0 | 1,
      count: number,
      sumP: number,
      sumP2: number,
      sumQ2: number,
      sumLogP: number,
      sumLogQ: number,
    ): void => this.target!.add(group, bin, prediction, labelStateOf(labelState), count, sumP, sumP2, sumQ2, sumLogP, sumLogQ);
    // better-sqlite3's types allow a step of one argument only; the function takes ten.
    db.aggregate(sumCells, { start: null, step: step as (total: null, next: unknown) => void, directOnly: true });
    // One range per level of spanPlan(): minutes to the first whole hour, hours to the first whole day, then days.
    // Only minutes below quality_compaction.through are closed (in the hours and days, and packed or pending,
    // migrations 10 and 14): the minute range stops there, and every minute from it on is an open cell.
    const through = '(SELECT through FROM quality_compaction)';
    const last = QUALITY_LEVELS.length - 1;
    const [minute, ...coarser] = QUALITY_LEVELS;
    const openMinutes = `level = '${minute!.level}' AND key >= max(@from0, ${through})`;
    const closedRanges = [
      `level = '${minute!.level}' AND key >= @from0 AND key < min(@to0, ${through})`,
      ...coarser.map(({ level }, n) => {
        const i = n + 1;
        return `level = '${level}' AND key >= @from${i}${i < last ? ` AND key < @to${i}` : ''}`;
      }),
    ];
    // One SELECT per range joined by UNION ALL, not the ranges ORed: SQLite searches each on the
    // primary key either way, but an OR of ranges also keeps every row's key to drop duplicates.
    const version = '(@version IS NULL OR model_version = @version)';
    const select = (columns: string, table: string, ranges: readonly string[]) =>
      ranges.map((range) => `SELECT ${columns} FROM ${table} WHERE ${range} AND ${version}`);
    const cellSelects = (columns: string) => [...select(columns, 'quality_cells', [openMinutes]), ...select(columns, 'quality_pending', closedRanges)];
    this.spanCells = db.prepare<[Span], null>(cellSelects(`${sumCells}(0, ${CELL_COLUMNS})`).join(' UNION ALL ')).pluck();
    // Per closed range: the lists' stamps (key, version, generation), and the lists when their sum is not kept.
    this.rangeLists = closedRanges.map((range) => ({
      refs: db.prepare<[Span], PackedRef & { key: number }>(
        `SELECT key, model_version, generation FROM quality_packed WHERE ${range} AND ${version} ORDER BY key, model_version`,
      ),
      lists: db.prepare<[Span], Buffer>(`SELECT cells FROM quality_packed WHERE ${range} AND ${version}`).pluck(),
    }));
    const delays = select('bucket, count', 'quality_label_delay', [openMinutes, ...closedRanges]).join(' UNION ALL ');
    this.spanDelays = db.prepare<[Span], { bucket: number; count: number }>(`SELECT bucket, sum(count) AS count FROM (${delays}) GROUP BY bucket`);
    this.spanVersions = db
      .prepare<[Span], string>(
        `${[...cellSelects('DISTINCT model_version'), ...select('DISTINCT model_version', 'quality_packed', closedRanges)].join(' UNION ')} ORDER BY 1`,
      )
      .pluck();
    // A coarser level's keys lack the minutes from quality_compaction.through on: those come from the minute cells, keyed up.
    const timelineOf = (tables: readonly string[], stored: (key: string) => string) =>
      [
        ...tables.map((table) => `SELECT ${stored('key')} FROM ${table} WHERE level = @level AND key >= @from AND ${version}`),
        `SELECT ${stored('key / CAST(@minutes AS INTEGER)')} FROM ${tables[0]}
         WHERE @minutes > 1 AND level = 'minute' AND key >= max(@from * @minutes, ${through}) AND ${version}`,
      ].join(' UNION ALL ');
    this.timelineCells = db
      .prepare<[TimelineParams], null>(timelineOf(['quality_cells', 'quality_pending'], (key) => `${sumCells}(${key}, ${CELL_COLUMNS})`))
      .pluck();
    // Not the lists themselves: a key with nothing else is decoded only if its figures are not kept already.
    this.timelinePacked = db.prepare<[TimelineParams], PackedRef & { key: number }>(
      `SELECT key, model_version, generation FROM quality_packed WHERE level = @level AND key >= @from AND ${version} ORDER BY key, model_version`,
    );
    this.packedAt = db
      .prepare<[string, number, string, number], Buffer>(
        'SELECT cells FROM quality_packed WHERE level = ? AND key = ? AND model_version = ? AND generation = ?',
      )
      .pluck();
    // One key of a timeline read afresh (PackedBucket): its pending cells, its open minutes, its lists.
    this.keyRows = db
      .prepare<[KeyParams], null>(
        `SELECT ${sumCells}(0, ${CELL_COLUMNS}) FROM quality_pending WHERE level = @level AND key = @key AND ${version}
       UNION ALL
       SELECT ${sumCells}(0, ${CELL_COLUMNS}) FROM quality_cells
       WHERE level = '${minute!.level}' AND key >= max(@key * @minutes, ${through}) AND key < (@key + 1) * @minutes AND ${version}`,
      )
      .pluck();
    this.keyPacked = db.prepare<[KeyParams], PackedRef & { cells: Buffer }>(
      `SELECT model_version, generation, cells FROM quality_packed WHERE level = @level AND key = @key AND ${version} ORDER BY model_version`,
    );
    this.timelineDelays = db.prepare<[TimelineParams], { key: number; bucket: number; count: number }>(
      `SELECT key, bucket, sum(count) AS count FROM (${timelineOf(['quality_label_delay'], (key) => `${key} AS key, bucket, count`)}) GROUP BY key, bucket`,
    );
  }

  static open(path: string): SqliteQualityReader {
    return new SqliteQualityReader(openSqlite(path));
  }

  async span(sinceMinute: number, modelVersion: string | undefined): Promise<QualitySpan> {
    const params = spanParams(sinceMinute, modelVersion);
    // One read transaction: cells and delays of the same committed batches.
    return this.db.transaction(() => ({
      cells: this.sumCells((groups) => {
        this.spanCells.all(params);
        this.rangeLists.forEach(({ refs, lists }, i) => {
          const stamp = `${i}|${refs
            .all(params)
            .map((r) => `${r.key}:${r.model_version}@${r.generation}`)
            .join(',')}`;
          groups.addPacked(
            0,
            this.rangeSums.sum(stamp, () => lists.all(params)),
          );
        });
      }).cells(0),
      labelDelays: new Map(this.spanDelays.all(params).map(({ bucket, count }) => [bucket, count])),
    }))();
  }

  async modelVersions(sinceMinute: number): Promise<string[]> {
    return this.spanVersions.all(spanParams(sinceMinute, undefined));
  }

  async timeline(sinceMinute: number, level: RollupLevel['key'], modelVersion: string | undefined): Promise<QualityBucket[]> {
    const { minutes } = QUALITY_LEVELS.find((l) => l.level === level)!;
    const from = Math.floor(sinceMinute / minutes);
    const params: TimelineParams = { level, from, minutes, version: modelVersion ?? null };
    const { cells, packedOnly, delays } = this.db.transaction(() => {
      const groups = this.sumCells(() => this.timelineCells.all(params));
      const withRows = new Set(groups.keys());
      // A key with pending cells or open minutes: its lists are added to those now, in this snapshot.
      const packedOnly = new Map<number, PackedRef[]>();
      for (const { key, model_version, generation } of this.timelinePacked.all(params)) {
        if (withRows.has(key)) groups.addPacked(key, unpackCells(this.packedAt.get(level, key, model_version, generation)!));
        else packedOnly.set(key, [...(packedOnly.get(key) ?? []), { model_version, generation }]);
      }
      return { cells: groups, packedOnly, delays: this.timelineDelays.all(params) };
    })();
    const buckets = new Map<number, QualityBucket & { labelDelays: Map<number, number> }>();
    for (const key of cells.keys()) buckets.set(key, { minute: key * minutes, cells: cells.cells(key), labelDelays: new Map() });
    for (const [key, refs] of packedOnly) {
      const stamp = `${level}:${key}:${refs.map((r) => `${r.model_version}@${r.generation}`).join(',')}`;
      buckets.set(key, new PackedBucket(key * minutes, stamp, () => this.packedCells({ level, key, minutes, version: params.version }, refs)));
    }
    for (const { key, bucket, count } of delays) {
      let entry = buckets.get(key);
      if (entry === undefined) {
        entry = { minute: key * minutes, cells: [], labelDelays: new Map() };
        buckets.set(key, entry);
      }
      entry.labelDelays.set(bucket, count);
    }
    return [...buckets.values()].sort((a, b) => a.minute - b.minute);
  }

  /**
   * A packed-only key's cells, read afresh: its lists by the generations the
   * timeline saw, or, if a fold or a write changed the key since, all it holds
   * now (`current` false, so the bucket drops its stamp).
   */
  private packedCells(key: KeyParams, refs: readonly PackedRef[]): PackedRead {
    return this.db.transaction(() => {
      const groups = this.sumCells(() => this.keyRows.all(key));
      const hadRows = groups.keys().length > 0;
      const stored = this.keyPacked.all(key);
      for (const { cells } of stored) groups.addPacked(0, unpackCells(cells));
      const unchanged =
        !hadRows && stored.length === refs.length && stored.every((s, i) => s.model_version === refs[i]!.model_version && s.generation === refs[i]!.generation);
      return { cells: groups.cells(0), unchanged };
    })();
  }

  /** Runs a statement of the summing function with a fresh target and returns what it summed. */
  private sumCells(run: (groups: CellGroups) => void): CellGroups {
    const groups = new CellGroups();
    this.target = groups;
    try {
      run(groups);
    } finally {
      this.target = undefined;
    }
    return groups;
  }

  close(): void {
    this.db.close();
  }
}

/** The rollup levels a timeline can be bucketed by. */
export const QUALITY_TIMELINE_LEVELS: readonly RollupLevel['key'][] = ROLLUP_LEVELS.map(({ key }) => key);
