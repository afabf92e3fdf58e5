import { CellGroups, type QualityCell } from '@vigil/quality';
import { ROLLUP_LEVELS, spanPlan, type RollupLevel } from '@vigil/rollups';
import { openSqlite, type SqliteDatabase } from './open-sqlite';
import { labelStateOf, QUALITY_LEVELS } from './quality-levels';

/** The quality cells of a span of time, summed over its keys, and its label delays (bucket → count). */
export interface QualitySpan {
  readonly cells: QualityCell[];
  readonly labelDelays: Map<number, number>;
}

/** One key of a timeline: its start (minutes since the epoch) and its cells. */
export interface QualityBucket extends QualitySpan {
  readonly minute: number;
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
 * The quality rollups the API reads, from the SQLite file the worker writes (see spanPlan for the keys a window reads).
 *
 * Cells are summed by a JavaScript aggregate (CellGroups) rather than SQL's GROUP BY: a 30-day window
 * of a million predictions reads ~54,000 stored cells, and the GROUP BY's sort of them (spilled to a
 * temporary file) with the OR's duplicate check was ~70% of the read (107 ms of it; ~35 ms now). The
 * aggregate sums each row as SQLite steps over it in primary-key order, nothing allocated per row,
 * compensated as sum() is, so every figure is the same to the bit.
 */
export class SqliteQualityReader implements QualityReader {
  private readonly spanCells;
  private readonly spanDelays;
  private readonly timelineCells;
  private readonly timelineDelays;
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
    // The hour and day cells hold only minutes below quality_compaction.through (migration 10), so the
    // minute range stops there and every minute from it on is read from the minute cells.
    const through = '(SELECT through FROM quality_compaction)';
    const last = QUALITY_LEVELS.length - 1;
    const ranges = QUALITY_LEVELS.flatMap(({ level }, i) => {
      if (i === 0) return [`level = '${level}' AND key >= @from0 AND key < min(@to0, ${through})`, `level = '${level}' AND key >= max(@from0, ${through})`];
      const upper = i < last ? ` AND key < @to${i}` : '';
      return [`level = '${level}' AND key >= @from${i}${upper}`];
    });
    // One SELECT per range joined by UNION ALL, not the ranges ORed: SQLite searches each on the
    // primary key either way, but an OR of ranges also keeps every row's key to drop duplicates.
    const perRange = (select: string, table: string, joiner = 'UNION ALL') =>
      ranges.map((range) => `SELECT ${select} FROM ${table} WHERE ${range} AND (@version IS NULL OR model_version = @version)`).join(` ${joiner} `);
    this.spanCells = db.prepare<[Span], null>(perRange(`${sumCells}(0, ${CELL_COLUMNS})`, 'quality_cells')).pluck();
    this.spanDelays = db.prepare<[Span], { bucket: number; count: number }>(
      `SELECT bucket, sum(count) AS count FROM (${perRange('bucket, count', 'quality_label_delay')}) GROUP BY bucket`,
    );
    this.spanVersions = db.prepare<[Span], string>(`${perRange('DISTINCT model_version', 'quality_cells', 'UNION')} ORDER BY 1`).pluck();
    // A coarser level's keys lack the minutes from quality_compaction.through on: those come from the minute cells, keyed up.
    const timelineOf = (table: string, stored: (key: string) => string) =>
      `SELECT ${stored('key')} FROM ${table} WHERE level = @level AND key >= @from AND (@version IS NULL OR model_version = @version)
       UNION ALL
       SELECT ${stored('key / CAST(@minutes AS INTEGER)')} FROM ${table}
       WHERE @minutes > 1 AND level = 'minute' AND key >= max(@from * @minutes, ${through}) AND (@version IS NULL OR model_version = @version)`;
    this.timelineCells = db.prepare<[TimelineParams], null>(timelineOf('quality_cells', (key) => `${sumCells}(${key}, ${CELL_COLUMNS})`)).pluck();
    this.timelineDelays = db.prepare<[TimelineParams], { key: number; bucket: number; count: number }>(
      `SELECT key, bucket, sum(count) AS count FROM (${timelineOf('quality_label_delay', (key) => `${key} AS key, bucket, count`)}) GROUP BY key, bucket`,
    );
  }

  static open(path: string): SqliteQualityReader {
    return new SqliteQualityReader(openSqlite(path));
  }

  async span(sinceMinute: number, modelVersion: string | undefined): Promise<QualitySpan> {
    const params = spanParams(sinceMinute, modelVersion);
    // One read transaction: cells and delays of the same committed batches.
    return this.db.transaction(() => ({
      cells: this.sumCells(() => this.spanCells.all(params)).cells(0),
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
    const { cells, delays } = this.db.transaction(() => ({
      cells: this.sumCells(() => this.timelineCells.all(params)),
      delays: this.timelineDelays.all(params),
    }))();
    const buckets = new Map<number, QualityBucket>(
      cells.keys().map((key) => [key, { minute: key * minutes, cells: cells.cells(key), labelDelays: new Map() }]),
    );
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

  /** Runs a statement of the summing function with a fresh target and returns what it summed. */
  private sumCells(run: () => unknown): CellGroups {
    const groups = new CellGroups();
    this.target = groups;
    try {
      run();
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
