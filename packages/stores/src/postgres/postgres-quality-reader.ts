import { BIN_EDGES, LABEL_DELAY_RATIO, LOG_LOSS_EPS, type QualityCell } from '@vigil/quality';
import type { RollupLevel } from '@vigil/rollups';
import { QUALITY_LEVELS } from '../sqlite/quality-levels';
import type { QualityBucket, QualityReader, QualitySpan } from '../sqlite/sqlite-quality-reader';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store';
import { currentLabelJoin, firstLabelJoin, PREDICTION_ID_TEXT } from './label-versions-sql';

/** One row of the grouped read: a cell (bin … sum_log_q) or a label-delay bucket (bucket, count), of one key. */
interface GroupedRow {
  kind: 'cell' | 'delay';
  key: string;
  bin: number | null;
  prediction: number | null;
  label: number | null;
  bucket: string | null;
  count: string;
  sum_p: number | null;
  sum_p2: number | null;
  sum_q2: number | null;
  sum_log_p: number | null;
  sum_log_q: number | null;
}

/**
 * The constants the SQL shares with @vigil/quality, passed as float8 parameters rather than written as
 * literals: a literal is NUMERIC in Postgres, and `1 - 1e-15` there is not the double JavaScript computes.
 * $1 the bin edges (width_bucket gives the number of edges ≤ p: binOf), $2 and $3 the log-loss clip
 * (contributionOf's), $4 ln of the label-delay ratio (labelDelayBucket divides by Math.log of it).
 */
const CONSTANTS: readonly unknown[] = [Array.from(BIN_EDGES), LOG_LOSS_EPS, 1 - LOG_LOSS_EPS, Math.log(LABEL_DELAY_RATIO)];

/**
 * Cells and label delays of the predictions from minute $6 on (timestamp ≥ $6 · 60 s is floor(epoch / 60) ≥ $6,
 * and can use the timestamp index), for model version $7 or all (NULL), grouped per key of $5 minutes (the
 * timeline's level; 0: one key, 0, for the whole span). One statement, so cells and delays come from one
 * snapshot; the CTE is read twice, so Postgres materializes it and each row's label lookups run once.
 */
function groupedSql(table: (name: string) => string): string {
  const clipped = 'least(greatest(s.probability, $2::float8), $3::float8)';
  return `
    WITH scored AS (
      SELECT CASE WHEN $5::int = 0 THEN 0 ELSE floor(extract(epoch FROM p.timestamp) / (60 * $5::int))::bigint END AS key,
             width_bucket(p.probability, $1::float8[]) AS bin, p.prediction, p.probability, cur.label,
             (extract(epoch FROM first.labeled_at) - extract(epoch FROM p.timestamp))::float8 AS delay
      FROM ${table('predictions')} p
      ${currentLabelJoin(table('labels'), PREDICTION_ID_TEXT, 'cur')}
      ${firstLabelJoin(table('labels'), PREDICTION_ID_TEXT, 'first')}
      WHERE p.timestamp >= to_timestamp($6::bigint * 60) AND ($7::text IS NULL OR p.model_version = $7::text)
    )
    SELECT 'cell' AS kind, s.key, s.bin, s.prediction, s.label, NULL::bigint AS bucket, count(*) AS count,
           sum(s.probability) AS sum_p, sum(s.probability * s.probability) AS sum_p2,
           sum((1 - s.probability) * (1 - s.probability)) AS sum_q2,
           sum(ln(${clipped})) AS sum_log_p, sum(ln(1 - ${clipped})) AS sum_log_q
    FROM scored s GROUP BY s.key, s.bin, s.prediction, s.label
    UNION ALL
    SELECT 'delay', d.key, NULL, NULL, NULL, d.bucket, count(*), NULL, NULL, NULL, NULL, NULL
    FROM (SELECT key, CASE WHEN delay >= 1 THEN 1 + floor(ln(delay) / $4::float8)::bigint ELSE 0 END AS bucket
          FROM scored WHERE label IS NOT NULL) d
    GROUP BY d.key, d.bucket
    ORDER BY 1, 2, 3, 4, 5 NULLS FIRST, 6`;
}

/** A cell as @vigil/quality takes it; label NULL (no label joined) is 'unlabeled'. */
function cellOf(row: GroupedRow): QualityCell {
  return {
    bin: row.bin!,
    prediction: row.prediction === 1 ? 1 : 0,
    label: row.label === null ? 'unlabeled' : row.label === 1 ? 1 : 0,
    count: Number(row.count),
    sum_p: row.sum_p!,
    sum_p2: row.sum_p2!,
    sum_q2: row.sum_q2!,
    sum_log_p: row.sum_log_p!,
    sum_log_q: row.sum_log_q!,
  };
}

/**
 * Model quality from the Postgres audit, for deployments whose workers each hold their own SQLite file: only
 * the audit has every prediction and every label version. The same cells as SqliteQualityReader, computed from
 * the rows: each prediction in the window joined to its current label (latest labeled_at, ties to the later
 * arrival) and its first label's delay, binned by width_bucket over BIN_EDGES and summed as contributionOf sums.
 *
 * Not flat in N: every read scans the predictions of its window (by the timestamp index) and looks up their
 * labels, so a 30-day window costs what its rows cost; partitioned or rolled-up audit cells are issue 17.
 * Floating sums are Postgres' plain sum(), not SQLite's compensated one: counts agree exactly, figures within 1e-9 relative.
 */
export class PostgresQualityReader implements QualityReader {
  constructor(
    private readonly store: PostgresStore,
    /** Whether close() ends the store's pool (a reader opened by {@link PostgresQualityReader.open}). */
    private readonly ownsStore = false,
  ) {}

  /** A reader on a pool of its own, connecting lazily (a process may start while Postgres is down). */
  static open(options: PostgresStoreOptions): PostgresQualityReader {
    return new PostgresQualityReader(PostgresStore.lazy(options), true);
  }

  async span(sinceMinute: number, modelVersion: string | undefined): Promise<QualitySpan> {
    const [whole] = await this.grouped(0, sinceMinute, modelVersion);
    return { cells: whole?.cells ?? [], labelDelays: whole?.labelDelays ?? new Map() };
  }

  async timeline(sinceMinute: number, level: RollupLevel['key'], modelVersion: string | undefined): Promise<QualityBucket[]> {
    const { minutes } = QUALITY_LEVELS.find((l) => l.level === level)!;
    // From the key holding sinceMinute, as SqliteQualityReader: whole keys only.
    return this.grouped(minutes, Math.floor(sinceMinute / minutes) * minutes, modelVersion);
  }

  async modelVersions(sinceMinute: number): Promise<string[]> {
    return this.store.read(async (client, table) => {
      // COLLATE "C": byte order, as SQLite's ORDER BY sorts text.
      const result = await client.query<{ model_version: string }>(
        `SELECT DISTINCT model_version COLLATE "C" AS model_version FROM ${table('predictions')} WHERE timestamp >= to_timestamp($1::bigint * 60) ORDER BY 1`,
        [sinceMinute],
      );
      return result.rows.map((row) => row.model_version);
    });
  }

  /** The buckets of one grouped read, oldest first; `minutes` 0 groups the whole span as one bucket. */
  private grouped(minutes: number, fromMinute: number, modelVersion: string | undefined): Promise<QualityBucket[]> {
    return this.store.read(async (client, table) => {
      const result = await client.query<GroupedRow>(groupedSql(table), [...CONSTANTS, minutes, fromMinute, modelVersion ?? null]);
      const buckets = new Map<number, { minute: number; cells: QualityCell[]; labelDelays: Map<number, number> }>();
      for (const row of result.rows) {
        const key = Number(row.key);
        let bucket = buckets.get(key);
        if (bucket === undefined) {
          bucket = { minute: key * minutes, cells: [], labelDelays: new Map() };
          buckets.set(key, bucket);
        }
        if (row.kind === 'cell') bucket.cells.push(cellOf(row));
        else bucket.labelDelays.set(Number(row.bucket), Number(row.count));
      }
      return [...buckets.values()].sort((a, b) => a.minute - b.minute);
    });
  }

  async close(): Promise<void> {
    if (this.ownsStore) await this.store.close();
  }
}
