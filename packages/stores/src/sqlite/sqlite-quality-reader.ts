import type { QualityCell } from '@vigil/quality';
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
  close(): void;
}

type CellRow = Omit<QualityCell, 'label'> & { label_state: -1 | 0 | 1 };
type Span = Record<string, number | string | null>;
type TimelineParams = { level: string; from: number; minutes: number; version: string | null };

const CELL_SUMS =
  'sum(count) AS count, sum(sum_p) AS sum_p, sum(sum_p2) AS sum_p2, sum(sum_q2) AS sum_q2, sum(sum_log_p) AS sum_log_p, sum(sum_log_q) AS sum_log_q';

function toCell({ label_state, ...row }: CellRow): QualityCell {
  return { ...row, label: labelStateOf(label_state) };
}

/** The named parameters of the span filter: one range per level of spanPlan(). */
function spanParams(sinceMinute: number, modelVersion: string | undefined): Span {
  const params: Span = { version: modelVersion ?? null };
  spanPlan(sinceMinute).forEach(({ from, to }, i) => {
    params[`from${i}`] = from;
    if (to !== undefined) params[`to${i}`] = to;
  });
  return params;
}

/** The quality rollups the API reads, from the SQLite file the worker writes: flat in N (see spanPlan). */
export class SqliteQualityReader implements QualityReader {
  private readonly spanCells;
  private readonly spanDelays;
  private readonly timelineCells;
  private readonly timelineDelays;
  private readonly spanVersions;

  constructor(private readonly db: SqliteDatabase) {
    // One range per level of spanPlan(): minutes to the first whole hour, hours to the first whole day, then days.
    // The hour and day cells hold only minutes below quality_compaction.through (migration 10), so the
    // minute range stops there and every minute from it on is read from the minute cells.
    const through = '(SELECT through FROM quality_compaction)';
    const last = QUALITY_LEVELS.length - 1;
    const where = QUALITY_LEVELS.map(({ level }, i) => {
      // Two plain ranges, not one OR inside another: SQLite then searches each on the primary key instead of scanning every minute.
      if (i === 0) return `(level = '${level}' AND key >= @from0 AND key < min(@to0, ${through})) OR (level = '${level}' AND key >= max(@from0, ${through}))`;
      const upper = i < last ? ` AND key < @to${i}` : '';
      return `(level = '${level}' AND key >= @from${i}${upper})`;
    }).join(' OR ');
    const filter = `(${where}) AND (@version IS NULL OR model_version = @version)`;
    this.spanCells = db.prepare<[Span], CellRow>(
      `SELECT bin, prediction, label_state, ${CELL_SUMS} FROM quality_cells WHERE ${filter} GROUP BY bin, prediction, label_state`,
    );
    this.spanDelays = db.prepare<[Span], { bucket: number; count: number }>(
      `SELECT bucket, sum(count) AS count FROM quality_label_delay WHERE ${filter} GROUP BY bucket`,
    );
    this.spanVersions = db.prepare<[Span], { model_version: string }>(
      `SELECT DISTINCT model_version FROM quality_cells WHERE ${filter} ORDER BY model_version`,
    );
    // A coarser level's keys lack the minutes from quality_compaction.through on: those come from the minute cells, keyed up.
    const timelineOf = <Row>(table: string, stored: string, sums: string, groups: string) =>
      db.prepare<[TimelineParams], Row>(
        `SELECT key, ${groups}, ${sums} FROM (
           SELECT key, ${stored} FROM ${table} WHERE level = @level AND key >= @from AND (@version IS NULL OR model_version = @version)
           UNION ALL
           SELECT key / CAST(@minutes AS INTEGER) AS key, ${stored} FROM ${table}
           WHERE @minutes > 1 AND level = 'minute' AND key >= max(@from * @minutes, ${through}) AND (@version IS NULL OR model_version = @version)
         ) GROUP BY key, ${groups} ORDER BY key`,
      );
    this.timelineCells = timelineOf<CellRow & { key: number }>(
      'quality_cells',
      'bin, prediction, label_state, count, sum_p, sum_p2, sum_q2, sum_log_p, sum_log_q',
      CELL_SUMS,
      'bin, prediction, label_state',
    );
    this.timelineDelays = timelineOf<{ key: number; bucket: number; count: number }>('quality_label_delay', 'bucket, count', 'sum(count) AS count', 'bucket');
  }

  static open(path: string): SqliteQualityReader {
    return new SqliteQualityReader(openSqlite(path));
  }

  async span(sinceMinute: number, modelVersion: string | undefined): Promise<QualitySpan> {
    const params = spanParams(sinceMinute, modelVersion);
    // One read transaction: cells and delays of the same committed batches.
    return this.db.transaction(() => ({
      cells: this.spanCells.all(params).map(toCell),
      labelDelays: new Map(this.spanDelays.all(params).map(({ bucket, count }) => [bucket, count])),
    }))();
  }

  async modelVersions(sinceMinute: number): Promise<string[]> {
    return this.spanVersions.all(spanParams(sinceMinute, undefined)).map((row) => row.model_version);
  }

  async timeline(sinceMinute: number, level: RollupLevel['key'], modelVersion: string | undefined): Promise<QualityBucket[]> {
    const { minutes } = QUALITY_LEVELS.find((l) => l.level === level)!;
    const from = Math.floor(sinceMinute / minutes);
    const params: TimelineParams = { level, from, minutes, version: modelVersion ?? null };
    const { cells, delays } = this.db.transaction(() => ({
      cells: this.timelineCells.all(params),
      delays: this.timelineDelays.all(params),
    }))();
    const buckets = new Map<number, QualityBucket>();
    const bucketOf = (key: number): QualityBucket => {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { minute: key * minutes, cells: [], labelDelays: new Map() };
        buckets.set(key, bucket);
      }
      return bucket;
    };
    for (const { key, ...row } of cells) bucketOf(key).cells.push(toCell(row));
    for (const { key, bucket, count } of delays) bucketOf(key).labelDelays.set(bucket, count);
    return [...buckets.values()].sort((a, b) => a.minute - b.minute);
  }

  close(): void {
    this.db.close();
  }
}

/** The rollup levels a timeline can be bucketed by. */
export const QUALITY_TIMELINE_LEVELS: readonly RollupLevel['key'][] = ROLLUP_LEVELS.map(({ key }) => key);
