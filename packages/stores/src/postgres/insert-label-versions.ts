import type pg from 'pg';
import type { LabelRecord } from '@vigil/records';

/** A label version on its way to the audit (SQLite's label_history row). */
export interface LabelVersionRow extends LabelRecord {
  readonly label_id: string;
  readonly version: number;
}

/**
 * Appends the label versions the audit lacks (by label_id) and returns how
 * many it added. One INSERT … SELECT FROM unnest() per page rather than
 * COPY: label rows are six narrow columns, so parsing the arrays costs
 * little, and ON CONFLICT DO NOTHING makes a re-shipped page (after a crash
 * or a timeout) add nothing without the COPY-then-retry dance of the rows.
 */
export async function insertLabelVersions(client: pg.ClientBase, table: string, rows: readonly LabelVersionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO ${table} (label_id, prediction_id, label, labeled_at, received_at, version)
     SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::timestamptz[], $5::timestamptz[], $6::integer[])
     ON CONFLICT (label_id) DO NOTHING`,
    [
      rows.map((r) => r.label_id),
      rows.map((r) => r.prediction_id),
      rows.map((r) => r.label),
      rows.map((r) => r.labeled_at),
      rows.map((r) => r.received_at),
      rows.map((r) => r.version),
    ],
  );
  return result.rowCount ?? 0;
}
