import pg from 'pg';
import { currentLabelJoin, PostgresStore, PREDICTION_ID_TEXT } from '@vigil/stores';
import type { ExportQuery, ExportRow, ExportSource } from '../export-types';
import { BATCH_ROWS } from './next-turn';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** ISO 8601 UTC with milliseconds, as the records carry their times (and SQLite stores them). */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface PostgresExportOptions {
  readonly connectionString: string;
  readonly schema: string;
}

/**
 * Exports from the Postgres audit (every host's predictions). Each export is
 * one read-only transaction on a connection of its own, with a server-side
 * cursor fetched a batch at a time (the next batch is asked for while the
 * last one is written), so neither side holds the result. The label is the
 * current version of the append-only label history, chosen by the rule the
 * other audit readers share (currentLabelJoin). Connects on first use: an
 * API starts while Postgres is down, and its exports fail until it is back.
 * Its first use brings the schema up to date as every audit reader does, so
 * an audit nothing has shipped to yet exports an empty file, not an error.
 */
export class PostgresExportSource implements ExportSource {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly options: PostgresExportOptions;
  private migrated: Promise<void> | undefined;

  constructor(options: PostgresExportOptions) {
    if (!IDENTIFIER.test(options.schema)) throw new RangeError(`PostgresExportSource: schema "${options.schema}" is not a plain lower-case identifier`);
    this.schema = options.schema;
    this.options = options;
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: 4, connectionTimeoutMillis: 5000 });
    // An idle client whose server went away emits 'error'; without a handler that kills the process.
    this.pool.on('error', () => undefined);
  }

  /** Migrates once (PostgresStore's migrations, on a connection of its own); a failure is forgotten so the next export tries again. */
  private ready(): Promise<void> {
    this.migrated ??= PostgresStore.open({ connectionString: this.options.connectionString, schema: this.schema, poolSize: 1 })
      .then((store) => store.close())
      .catch((error: unknown) => {
        this.migrated = undefined;
        throw error;
      });
    return this.migrated;
  }

  private table(name: string): string {
    return `"${this.schema}".${name}`;
  }

  async count(query: ExportQuery): Promise<number> {
    await this.ready();
    const result = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.table('predictions')} WHERE timestamp >= $1 AND ($2::text IS NULL OR model_version = $2)`,
      [query.sinceIso, query.modelVersion ?? null],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  async hasTraceId(): Promise<boolean> {
    await this.ready();
    const result = await this.pool.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'predictions' AND column_name = 'trace_id'`,
      [this.schema],
    );
    return result.rowCount === 1;
  }

  private selectRows(traceId: boolean): string {
    // seq is BIGINT, which node-postgres hands over as text; a float8 holds every seq exactly (below 2^53).
    return `SELECT ${PREDICTION_ID_TEXT} AS prediction_id, ${iso('p.timestamp')} AS timestamp, p.model_version,
                   p.prediction::int AS prediction, p.probability, p.latency_ms, p.instance_id, p.seq::float8 AS seq,
                   ${traceId ? 'p.trace_id, ' : ''}cur.label::int AS label, ${iso('cur.labeled_at')} AS labeled_at, p.features::text AS features
            FROM ${this.table('predictions')} p
            ${currentLabelJoin(this.table('labels'), PREDICTION_ID_TEXT, 'cur')}
            WHERE p.timestamp >= $1 AND ($2::text IS NULL OR p.model_version = $2)
            ORDER BY p.timestamp, p.id`;
  }

  async *batches(query: ExportQuery): AsyncGenerator<readonly ExportRow[], void, undefined> {
    const traceId = await this.hasTraceId();
    const client = await this.pool.connect();
    // A checked-out client has none of the pool's listeners: a server going away mid-export must not kill the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    let failure: Error | undefined;
    let open = false;
    let pending: Promise<pg.QueryResult<ExportRow>> | undefined;
    const fetch = (): Promise<pg.QueryResult<ExportRow>> => {
      const next = client.query<ExportRow>(`FETCH ${BATCH_ROWS} FROM vigil_export`);
      next.catch(() => undefined); // awaited below, or abandoned when the export stops early
      return next;
    };
    try {
      await client.query('BEGIN READ ONLY');
      open = true;
      await client.query(`DECLARE vigil_export NO SCROLL CURSOR FOR ${this.selectRows(traceId)}`, [query.sinceIso, query.modelVersion ?? null]);
      pending = fetch();
      for (;;) {
        const rows: ExportRow[] = (await pending).rows;
        pending = rows.length === BATCH_ROWS ? fetch() : undefined;
        if (rows.length > 0) yield rows;
        if (pending === undefined) break;
      }
      await client.query('COMMIT');
      open = false;
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      if (open) {
        await pending?.catch(() => undefined);
        await client.query('ROLLBACK').catch((error: unknown) => (failure ??= error as Error));
      }
      client.off('error', ignore);
      // A client whose transaction could not be ended is not handed out again.
      client.release(failure);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
