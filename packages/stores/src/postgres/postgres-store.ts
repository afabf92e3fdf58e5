import pg from 'pg';
import type { PredictionRecord } from '@vigil/prediction-log';
import type { ClassCounts, MonitoringReader, StoredPrediction } from '../types';
import { POSTGRES_MIGRATIONS } from './migrations';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Options for {@link PostgresStore.open}. */
export interface PostgresStoreOptions {
  readonly connectionString: string;
  /** @defaultValue 'public' */
  readonly schema?: string;
  /** @defaultValue 4 */
  readonly poolSize?: number;
}

interface PostgresPredictionRow {
  id: string;
  prediction_id: string;
  timestamp: Date;
  model_version: string;
  features: StoredPrediction['features'];
  prediction: number;
  probability: number;
  latency_ms: number;
  created_at: Date;
}

/** The Postgres audit trail: idempotent batch inserts, and the monitoring queries for multi-host setups. */
export class PostgresStore implements MonitoringReader {
  private migrated: Promise<void> | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly table: string,
  ) {}

  /**
   * A store that connects and migrates on first use, and tries again on the
   * next call if that fails: a process may start while Postgres is down.
   */
  static lazy(options: PostgresStoreOptions): PostgresStore {
    const schema = options.schema ?? 'public';
    if (!IDENTIFIER.test(schema)) throw new RangeError(`PostgresStore: schema "${schema}" is not a plain lower-case identifier`);
    const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 4, connectionTimeoutMillis: 5000 });
    // An idle client whose server went away emits 'error'; without a handler that kills the process.
    pool.on('error', () => undefined);
    return new PostgresStore(pool, schema, `"${schema}".predictions`);
  }

  /** Connects and migrates now; throws if Postgres cannot be reached. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = PostgresStore.lazy(options);
    try {
      await store.ready();
    } catch (error) {
      await store.pool.end();
      throw error;
    }
    return store;
  }

  /** Resolves once the schema is migrated; a failure is forgotten so the next call retries. */
  ready(): Promise<void> {
    this.migrated ??= migrate(this.pool, this.schema).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }

  /** Inserts a batch in one statement; rows already present (by prediction_id) are skipped. Returns the rows added. */
  async insertBatch(records: readonly PredictionRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    await this.ready();
    // One round trip for the whole batch: columns as arrays, unnested server-side.
    const result = await this.pool.query(
      `INSERT INTO ${this.table} (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::jsonb[], $5::smallint[], $6::float8[], $7::float8[])
       ON CONFLICT (prediction_id) DO NOTHING`,
      [
        records.map((r) => r.prediction_id),
        records.map((r) => r.timestamp),
        records.map((r) => r.model_version),
        records.map((r) => JSON.stringify(r.features)),
        records.map((r) => r.prediction),
        records.map((r) => r.probability),
        records.map((r) => r.latency_ms),
      ],
    );
    return result.rowCount ?? 0;
  }

  async latenciesSince(sinceIso: string): Promise<Float64Array> {
    await this.ready();
    const result = await this.pool.query<{ latency_ms: number }>(
      `SELECT latency_ms FROM ${this.table} WHERE timestamp >= $1 ORDER BY latency_ms`,
      [sinceIso],
    );
    return Float64Array.from(result.rows, (row) => row.latency_ms);
  }

  async recentPredictions(limit: number): Promise<StoredPrediction[]> {
    await this.ready();
    const result = await this.pool.query<PostgresPredictionRow>(
      `SELECT id, prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, created_at
       FROM ${this.table} ORDER BY timestamp DESC, prediction_id DESC LIMIT $1`,
      [limit],
    );
    return result.rows.map((row) => ({
      id: Number(row.id),
      prediction_id: row.prediction_id,
      timestamp: row.timestamp.toISOString(),
      model_version: row.model_version,
      features: row.features,
      prediction: row.prediction === 1 ? 1 : 0,
      probability: row.probability,
      latency_ms: row.latency_ms,
      created_at: row.created_at.toISOString(),
    }));
  }

  async classCountsSince(sinceIso: string): Promise<ClassCounts> {
    await this.ready();
    const result = await this.pool.query<{ fraud: string | null; total: string }>(
      `SELECT sum(prediction) AS fraud, count(*) AS total FROM ${this.table} WHERE timestamp >= $1`,
      [sinceIso],
    );
    const fraud = Number(result.rows[0]?.fraud ?? 0);
    return { fraud, non_fraud: Number(result.rows[0]?.total ?? 0) - fraud };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Serialises start-up across every process that migrates this schema.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vigil-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const applied = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
    const done = new Set(applied.rows.map((row) => row.version));
    for (const migration of POSTGRES_MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql.replaceAll('{schema}', `"${schema}"`));
      await client.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [migration.version]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
