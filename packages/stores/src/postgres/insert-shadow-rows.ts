import type pg from 'pg';

/** A shadow model's score on its way to the audit (SQLite's shadow_predictions row). */
export interface ShadowAuditRow {
  readonly id: number;
  readonly prediction_id: string;
  readonly model_version: string;
  readonly timestamp: string;
  readonly prediction: 0 | 1;
  readonly probability: number;
  readonly latency_ms: number;
}

/**
 * Adds the shadow scores the audit lacks (by prediction_id and model_version) and
 * returns how many it added: one INSERT … SELECT FROM unnest() per page, narrow rows
 * like the labels', ON CONFLICT DO NOTHING so a re-shipped page adds nothing.
 */
export async function insertShadowRows(client: pg.ClientBase, table: string, rows: readonly ShadowAuditRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO ${table} (prediction_id, model_version, timestamp, prediction, probability, latency_ms)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::smallint[], $5::float8[], $6::float8[])
     ON CONFLICT (prediction_id, model_version) DO NOTHING`,
    [
      rows.map((r) => r.prediction_id),
      rows.map((r) => r.model_version),
      rows.map((r) => r.timestamp),
      rows.map((r) => r.prediction),
      rows.map((r) => r.probability),
      rows.map((r) => r.latency_ms),
    ],
  );
  return result.rowCount ?? 0;
}
