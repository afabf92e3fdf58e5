import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RollupInput } from '@vigil/rollups';

/** A row on its way to the audit, features already JSON text (as SQLite holds them). */
export interface AuditRow {
  readonly prediction_id: string;
  readonly timestamp: string;
  readonly model_version: string;
  readonly features_json: string;
  readonly prediction: 0 | 1;
  readonly probability: number;
  readonly latency_ms: number;
  /** The API instance that logged it and its number there; null (or absent) for older records. */
  readonly instance_id?: string | null;
  readonly seq?: number | null;
  /** The request's W3C trace id; null (or absent) without one. */
  readonly trace_id?: string | null;
}

export const AUDIT_COLUMNS = 'prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, instance_id, seq, trace_id';

/** COPY text format's NULL. */
const NULL = '\\N';

/** COPY text format: backslash, tab, newline and carriage return must be escaped. */
function escape(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function copyText(rows: readonly AuditRow[]): string {
  let text = '';
  for (const r of rows) {
    const instance = r.instance_id === undefined || r.instance_id === null ? NULL : escape(r.instance_id);
    const seq = r.seq === undefined || r.seq === null ? NULL : String(r.seq);
    // A trace id is 32 hex digits (the worker checked it): nothing to escape.
    const trace = r.trace_id === undefined || r.trace_id === null ? NULL : r.trace_id;
    text += `${r.prediction_id}\t${r.timestamp}\t${escape(r.model_version)}\t${escape(r.features_json)}\t`;
    text += `${r.prediction}\t${r.probability}\t${r.latency_ms}\t${instance}\t${seq}\t${trace}\n`;
  }
  return text;
}

/** Postgres' SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * The COPY met rows already in the table (unique_violation: some rows are
 * already there): a page re-shipped after a crash or a timeout. That is the
 * expected case of an at-least-once shipper, taken by the ON CONFLICT path of
 * copyNewRows, not a failure; every other error goes to the caller as it is.
 */
function isAlreadyThere(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}

async function copyInto(client: pg.ClientBase, table: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), client.query(copyFrom(`COPY ${table} (${AUDIT_COLUMNS}) FROM STDIN`)));
}

/**
 * Adds the rows that are not in the table yet, inside the caller's
 * transaction, and returns what the rollups need of the rows it added.
 *
 * COPY is the fastest way into Postgres (several times a multi-row INSERT,
 * which spends most of its time quoting and parsing array literals), but it
 * has no ON CONFLICT. So: COPY straight into the table under a savepoint;
 * only when a row is already there (a batch re-shipped after a crash or a
 * timeout) go again through a temp table and INSERT … ON CONFLICT DO NOTHING.
 * The table is partitioned by day, so its unique key is (prediction_id,
 * timestamp) (migration 9 says why that is a prediction's identity), and
 * every day of `rows` must have its partition (PredictionPartitions.ensure).
 */
export async function copyNewRows(client: pg.ClientBase, table: string, rows: readonly AuditRow[]): Promise<RollupInput[]> {
  const text = copyText(rows);
  await client.query('SAVEPOINT copy_rows');
  try {
    await copyInto(client, table, text);
    await client.query('RELEASE SAVEPOINT copy_rows');
    return rows.map((r) => ({ timestamp: r.timestamp, model_version: r.model_version, prediction: r.prediction, latency_ms: r.latency_ms }));
  } catch (error) {
    if (!isAlreadyThere(error)) throw error;
    await client.query('ROLLBACK TO SAVEPOINT copy_rows');
  }
  await client.query(
    'CREATE TEMP TABLE IF NOT EXISTS audit_staging (prediction_id uuid, timestamp timestamptz, model_version text, features jsonb, ' +
      'prediction smallint, probability float8, latency_ms float8, instance_id text, seq bigint, trace_id text) ON COMMIT DELETE ROWS',
  );
  await copyInto(client, 'audit_staging', text);
  const added = await client.query<{ timestamp: Date; model_version: string; prediction: number; latency_ms: number }>(
    `INSERT INTO ${table} (${AUDIT_COLUMNS}) SELECT ${AUDIT_COLUMNS} FROM audit_staging ON CONFLICT (prediction_id, timestamp) DO NOTHING
     RETURNING timestamp, model_version, prediction, latency_ms`,
  );
  return added.rows.map((row) => ({ ...row, timestamp: row.timestamp.toISOString(), prediction: row.prediction === 1 ? 1 : 0 }));
}
