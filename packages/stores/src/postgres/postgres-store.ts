import pg from 'pg';
import type { PredictionRecord } from '@vigil/records';
import { cascade, emptySummary, LatencyHistogram, spanPlan, type MinuteRollup, type RollupLevel, type RollupSummary } from '@vigil/rollups';
import { parseRanges, runsByInstance, type SeqRange, type SeqRangeKind, type SeqRangeRow } from '../seq-ranges';
import type { MonitoringReader, SampledPrediction, StoredPrediction } from '../types';
import { copyNewRows, type AuditRow } from './copy-rows';
import { insertLabelVersions, type LabelVersionRow } from './insert-label-versions';
import { insertShadowRows, type ShadowAuditRow } from './insert-shadow-rows';
import { mergeRollups } from './merge-rollups';
import { mergeSeqRanges } from './merge-seq-ranges';
import { POSTGRES_MIGRATIONS } from './migrations';
import { daysFrom, PredictionPartitions, utcDay } from './prediction-partitions';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Postgres' SQLSTATE check_violation, which a row with no partition for its timestamp also raises. */
const CHECK_VIOLATION = '23514';

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
  instance_id: string | null;
  seq: string | null;
  trace_id: string | null;
}

/** The Postgres audit trail: idempotent batch inserts, and the monitoring queries for multi-host setups. */
export class PostgresStore implements MonitoringReader {
  private migrated: Promise<void> | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly table: string,
  ) {
    this.rollupTable = this.tableOf({ table: 'rollup_minute' });
    this.seqRangeTable = `"${schema}".seq_ranges`;
    this.labelTable = `"${schema}".labels`;
    this.partitions = new PredictionPartitions(schema);
  }

  private readonly partitions: PredictionPartitions;

  private readonly rollupTable: string;
  private readonly seqRangeTable: string;
  private readonly labelTable: string;

  /** A rollup level's table in this store's schema. */
  private tableOf(level: Pick<RollupLevel, 'table'>): string {
    return `"${this.schema}".${level.table}`;
  }

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

  /** Inserts records (re-serialising features); see {@link PostgresStore.insertAuditRows}. */
  async insertBatch(records: readonly PredictionRecord[]): Promise<number> {
    return this.insertAuditRows(records.map((r) => ({ ...r, features_json: JSON.stringify(r.features) })));
  }

  /**
   * Adds the rows not yet in the audit (by prediction_id and timestamp) with
   * COPY, and rolls up the ones it added in the same transaction, so a
   * re-shipped batch never counts twice. Creates first any day partition the
   * page needs. Returns the rows added.
   */
  async insertAuditRows(rows: readonly AuditRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const days = new Set(rows.map((r) => utcDay(r.timestamp)));
    await this.withClient((client) => this.partitions.ensure(client, days));
    try {
      return await this.copyPage(rows);
    } catch (error) {
      // A partition this process had seen was dropped since (retention, maybe another process's, of a late
      // page's old day): create it again and retry once, rather than fail the shipper.
      if ((error as { code?: unknown } | null)?.code !== CHECK_VIOLATION) throw error;
      this.partitions.forget();
      await this.withClient((client) => this.partitions.ensure(client, days));
      return this.copyPage(rows);
    }
  }

  /**
   * Creates the day partitions from today (UTC) through `daysAhead` days on, so the shipper's pages
   * seldom need to create one (which locks the table briefly). Returns those days, each of which has its partition now.
   */
  async preparePartitions(daysAhead: number, now = Date.now()): Promise<string[]> {
    const days = daysFrom(utcDay(now), daysAhead + 1);
    // Asks Postgres again: a partition this process remembers may have been dropped by another.
    this.partitions.forget();
    await this.withClient((client) => this.partitions.ensure(client, days));
    return days;
  }

  /** The UTC days (YYYY-MM-DD) the audit has a prediction partition for, oldest first. */
  partitionDays(): Promise<string[]> {
    return this.withClient((client) => this.partitions.days(client));
  }

  /** Drops the prediction partitions of the days before `firstKeptDay` (YYYY-MM-DD); returns those days. */
  dropPartitionsBefore(firstKeptDay: string): Promise<string[]> {
    return this.withClient((client) => this.partitions.dropBefore(client, firstKeptDay));
  }

  private copyPage(rows: readonly AuditRow[]): Promise<number> {
    return this.inTransaction(async (client) => {
      const added = await copyNewRows(client, this.table, rows);
      for (const { level, rollups } of cascade(added)) await mergeRollups(client, this.tableOf(level), level.key, rollups);
      // Every row of the page is in the audit now (added here or before); locked after the rollups, in every transaction alike.
      await mergeSeqRanges(client, this.seqRangeTable, 'stored', runsByInstance(rows));
      return added.length;
    });
  }

  /**
   * Appends label versions not yet in the audit (by label_id): every version
   * is kept, and a page shipped again adds nothing. One statement, so it is
   * all or nothing without a transaction of its own. Returns the rows added.
   */
  async insertLabelVersions(rows: readonly LabelVersionRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.withClient((client) => insertLabelVersions(client, this.labelTable, rows));
  }

  /** Adds the shadow scores the audit lacks; returns how many it added. */
  async insertShadowRows(rows: readonly ShadowAuditRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.withClient((client) => insertShadowRows(client, `"${this.schema}".shadow_predictions`, rows));
  }

  /** Every version of a prediction's label the audit holds, in the order they replace each other (labeled_at, then arrival). */
  async labelVersions(predictionId: string): Promise<(LabelVersionRow & { readonly id: number })[]> {
    await this.ready();
    const result = await this.pool.query<{
      id: string;
      label_id: string;
      prediction_id: string;
      label: number;
      labeled_at: Date;
      received_at: Date;
      version: number;
    }>(
      `SELECT id, label_id, prediction_id, label, labeled_at, received_at, version FROM ${this.labelTable}
       WHERE prediction_id = $1 ORDER BY labeled_at, received_at, id`,
      [predictionId],
    );
    return result.rows.map((row) => ({
      id: Number(row.id),
      label_id: row.label_id,
      prediction_id: row.prediction_id,
      label: row.label === 1 ? 1 : 0,
      labeled_at: row.labeled_at.toISOString(),
      received_at: row.received_at.toISOString(),
      version: row.version,
    }));
  }

  /**
   * Merges runs of sequence numbers of one kind into the audit's, in one
   * transaction: the audit shipper copies each host's dead-lettered runs
   * here, so completeness read from Postgres knows them too.
   */
  async mergeSeqRanges(kind: SeqRangeKind, entries: readonly { readonly instance_id: string; readonly ranges: readonly SeqRange[] }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.inTransaction((client) => mergeSeqRanges(client, this.seqRangeTable, kind, new Map(entries.map((e) => [e.instance_id, e.ranges]))));
  }

  async seqRanges(): Promise<SeqRangeRow[]> {
    await this.ready();
    const result = await this.pool.query<{ instance_id: string; kind: SeqRangeKind; ranges: unknown }>(
      `SELECT instance_id, kind, ranges FROM ${this.seqRangeTable} ORDER BY instance_id, kind`,
    );
    return result.rows.map((row) => ({ instance_id: row.instance_id, kind: row.kind, ranges: parseRanges(row.ranges) }));
  }

  async summarySince(sinceMinute: number, modelVersion?: string, options: { latency?: boolean } = {}): Promise<RollupSummary> {
    await this.ready();
    // Minutes up to the first whole hour, hours up to the first whole day, then whole days (the current ones included):
    // one SELECT per range of spanPlan(), $1 the model version.
    const params: unknown[] = [modelVersion ?? null];
    const parameter = (value: number) => `$${params.push(value)}`;
    const ranges = spanPlan(sinceMinute).map(({ level, from, to }) => {
      const upper = to === undefined ? '' : ` AND ${level.key} < ${parameter(to)}`;
      return { table: this.tableOf(level), where: `${level.key} >= ${parameter(from)}${upper} AND ($1::text IS NULL OR model_version = $1)` };
    });
    const span = (columns: string) => ranges.map(({ table, where }) => `SELECT ${columns} FROM ${table} WHERE ${where}`).join('\n       UNION ALL ');
    const summary = emptySummary();
    if (options.latency === false) {
      const counts = await this.pool.query<{ fraud: string | null; non_fraud: string | null }>(
        `SELECT sum(fraud) AS fraud, sum(non_fraud) AS non_fraud FROM (${span('fraud, non_fraud')}) AS spans`,
        params,
      );
      summary.fraud = Number(counts.rows[0]?.fraud ?? 0);
      summary.non_fraud = Number(counts.rows[0]?.non_fraud ?? 0);
      return summary;
    }
    const result = await this.pool.query<{ fraud: string; non_fraud: string; latency: Parameters<typeof LatencyHistogram.fromJSON>[0] }>(
      span('fraud, non_fraud, latency'),
      params,
    );
    for (const row of result.rows) {
      summary.fraud += Number(row.fraud);
      summary.non_fraud += Number(row.non_fraud);
      summary.latency.merge(LatencyHistogram.fromJSON(row.latency));
    }
    return summary;
  }

  async minuteRollups(fromMinute: number, toMinute: number, modelVersion?: string): Promise<MinuteRollup[]> {
    await this.ready();
    const result = await this.pool.query<{
      minute: string;
      model_version: string;
      fraud: string;
      non_fraud: string;
      latency: Parameters<typeof LatencyHistogram.fromJSON>[0];
    }>(
      `SELECT minute, model_version, fraud, non_fraud, latency FROM ${this.rollupTable}
       WHERE minute >= $1 AND minute < $2 AND ($3::text IS NULL OR model_version = $3) ORDER BY minute, model_version`,
      [fromMinute, toMinute, modelVersion ?? null],
    );
    return result.rows.map((row) => ({
      minute: Number(row.minute),
      model_version: row.model_version,
      fraud: Number(row.fraud),
      non_fraud: Number(row.non_fraud),
      latency: LatencyHistogram.fromJSON(row.latency),
    }));
  }

  async windowSample(sinceIso: string, options: { modelVersion?: string; stride: number }): Promise<SampledPrediction[]> {
    await this.ready();
    const result = await this.pool.query<{ timestamp: Date; features: SampledPrediction['features']; probability: number; prediction: number }>(
      `SELECT timestamp, features, probability, prediction FROM ${this.table}
       WHERE timestamp >= $1 AND ($2::text IS NULL OR model_version = $2) AND id % $3 = 0`,
      [sinceIso, options.modelVersion ?? null, Math.max(1, Math.floor(options.stride))],
    );
    return result.rows.map((row) => ({
      timestamp: row.timestamp.toISOString(),
      features: row.features,
      probability: row.probability,
      prediction: row.prediction === 1 ? 1 : 0,
    }));
  }

  async recentPredictions(limit: number): Promise<StoredPrediction[]> {
    await this.ready();
    const result = await this.pool.query<PostgresPredictionRow>(
      `SELECT id, prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, created_at, instance_id, seq, trace_id
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
      // Left out for older records, as SQLite's reader does.
      ...(row.instance_id === null ? {} : { instance_id: row.instance_id }),
      ...(row.seq === null ? {} : { seq: Number(row.seq) }),
      ...(row.trace_id === null ? {} : { trace_id: row.trace_id }),
    }));
  }

  /**
   * A read for the readers beside this store (quality, labels) on a checked-out client, after migrating;
   * `table` names a table of this store's schema.
   */
  read<T>(work: (client: pg.PoolClient, table: (name: string) => string) => Promise<T>): Promise<T> {
    return this.withClient((client) => work(client, (name) => `"${this.schema}".${name}`));
  }

  /**
   * Runs `work` on a checked-out client (after migrating). A checked-out client has none of
   * the pool's listeners: if the server goes away meanwhile, its 'error' event would be
   * unhandled and kill the process, so it is ignored here (the query rejects anyway), and a
   * client that failed is released as broken so the pool does not hand it out again.
   */
  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.ready();
    const client = await this.pool.connect();
    const ignore = () => undefined;
    client.on('error', ignore);
    let failure: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      client.off('error', ignore);
      client.release(failure);
    }
  }

  /** {@link withClient} inside BEGIN … COMMIT, rolled back when `work` throws. */
  private inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
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
    client.off('error', ignore);
    client.release();
  }
}
