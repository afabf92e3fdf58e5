import type { LabelReader, UnmatchedLabel, UnmatchedLabels } from '../labels-joined';
import { asPredictionUuid, currentLabelJoin } from './label-versions-sql';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store';

interface UnmatchedRow {
  prediction_id: string;
  label: number;
  labeled_at: Date;
  received_at: Date;
  total: string;
}

/**
 * Unmatched labels from the Postgres audit (GET /monitoring/labels/unmatched with MONITORING_STORE=postgres):
 * the prediction ids with label versions but no prediction row, each with its current label and when its first
 * version arrived, as SqliteLabelReader answers. Reads every label version (no table of unmatched ids is kept
 * in the audit), so its cost grows with the labels held; a listing, not a hot path.
 */
export class PostgresLabelReader implements LabelReader {
  constructor(
    private readonly store: PostgresStore,
    /** Whether close() ends the store's pool (a reader opened by {@link PostgresLabelReader.open}). */
    private readonly ownsStore = false,
  ) {}

  static open(options: PostgresStoreOptions): PostgresLabelReader {
    return new PostgresLabelReader(PostgresStore.lazy(options), true);
  }

  async unmatchedLabels(limit: number): Promise<UnmatchedLabels> {
    return this.store.read(async (client, table) => {
      // One statement: the count and the page of one snapshot. COLLATE "C" orders ids as SQLite does (bytes).
      const result = await client.query<UnmatchedRow>(
        `WITH unmatched AS (
           SELECT l.prediction_id, min(l.received_at) AS received_at FROM ${table('labels')} l
           WHERE NOT EXISTS (SELECT 1 FROM ${table('predictions')} p WHERE p.prediction_id = ${asPredictionUuid('l.prediction_id')})
           GROUP BY l.prediction_id
         ), page AS (
           SELECT prediction_id, received_at, count(*) OVER () AS total FROM unmatched
           ORDER BY received_at, prediction_id COLLATE "C" LIMIT $1
         )
         SELECT page.prediction_id, cur.label, cur.labeled_at, page.received_at, page.total FROM page
         ${currentLabelJoin(table('labels'), 'page.prediction_id', 'cur')}
         ORDER BY page.received_at, page.prediction_id COLLATE "C"`,
        [limit],
      );
      const labels: UnmatchedLabel[] = result.rows.map((row) => ({
        prediction_id: row.prediction_id,
        label: row.label === 1 ? 1 : 0,
        labeled_at: row.labeled_at.toISOString(),
        received_at: row.received_at.toISOString(),
      }));
      return { count: Number(result.rows[0]?.total ?? 0), labels };
    });
  }

  async close(): Promise<void> {
    if (this.ownsStore) await this.store.close();
  }
}
