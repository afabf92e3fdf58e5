import pg from 'pg';
import type { AlertChange, AlertState, AlertStateName, AlertStep, AlertStore } from './alert-store';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Options for {@link PostgresAlertStore}. */
export interface PostgresAlertStoreOptions {
  readonly connectionString: string;
  /** The audit schema (AUDIT_SCHEMA). @defaultValue 'public' */
  readonly schema?: string;
  /** @defaultValue 2 */
  readonly poolSize?: number;
  /** How long a call waits for a connection while Postgres is away before it fails. @defaultValue 5000 */
  readonly connectionTimeoutMs?: number;
}

/**
 * The alert tables in the audit schema, created by this store (not by a
 * numbered audit migration: the alert tables belong to @vigil/alerts, as
 * their SQLite twins do, and @vigil/stores must not depend on it). IF NOT
 * EXISTS under the schema's migration lock makes creation safe for every
 * process starting at once. Never edit these: a change needs a new,
 * versioned step here.
 */
const ALERT_TABLES_SQL = `
  CREATE SCHEMA IF NOT EXISTS {schema};
  -- Alert state per rule (one row each), shared by every worker and API of every host.
  CREATE TABLE IF NOT EXISTS {schema}.alert_state (
    rule          TEXT             PRIMARY KEY,
    state         TEXT             NOT NULL CHECK (state IN ('inactive', 'pending', 'firing')),
    since         TIMESTAMPTZ      NOT NULL,
    value         DOUBLE PRECISION,
    threshold     DOUBLE PRECISION,
    evaluated_at  TIMESTAMPTZ      NOT NULL,
    -- id of the last history row whose notification was handed to the notification queue
    notified_id   BIGINT           NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS {schema}.alert_history (
    id          BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule        TEXT             NOT NULL,
    from_state  TEXT             NOT NULL,
    to_state    TEXT             NOT NULL,
    value       DOUBLE PRECISION,
    threshold   DOUBLE PRECISION,
    at          TIMESTAMPTZ      NOT NULL,
    -- true when this change is one a receiver hears about (firing, or resolved after firing)
    notify      BOOLEAN          NOT NULL
  );
  CREATE INDEX IF NOT EXISTS alert_history_rule ON {schema}.alert_history (rule, id);
`;

interface StateRow {
  rule: string;
  state: AlertStateName;
  since: Date;
  value: number | null;
  threshold: number | null;
  evaluated_at: Date;
  notified_id: string;
}

interface HistoryRow {
  id: string;
  rule: string;
  from_state: string;
  to_state: string;
  value: number | null;
  threshold: number | null;
  at: Date;
  notify: boolean;
}

const toState = (row: StateRow): AlertState => ({
  rule: row.rule,
  state: row.state,
  since: row.since.toISOString(),
  value: row.value,
  threshold: row.threshold,
  evaluated_at: row.evaluated_at.toISOString(),
  notified_id: Number(row.notified_id),
});

const toChange = (row: HistoryRow): AlertChange => ({
  id: Number(row.id),
  rule: row.rule,
  from_state: row.from_state,
  to_state: row.to_state,
  value: row.value,
  threshold: row.threshold,
  at: row.at.toISOString(),
  notify: row.notify ? 1 : 0,
});

/**
 * Alert state and history in the Postgres audit schema, shared by every
 * host. Each rule has two transaction-scoped advisory locks (two-key form,
 * so they cannot meet the audit's one-key migration lock): a state lock,
 * held while a transition reads the state and records the change, so two
 * evaluators on two hosts cannot both record one change; and a hand-over
 * lock, held while a change is given to the notifier and marked, so two
 * evaluators cannot both hand it over. The store connects and creates its
 * tables on first use, and tries again on the next call if that fails: a
 * process may start while Postgres is down.
 */
export class PostgresAlertStore implements AlertStore {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly state: string;
  private readonly historyTable: string;
  private created: Promise<void> | undefined;

  constructor(options: PostgresAlertStoreOptions) {
    const schema = options.schema ?? 'public';
    if (!IDENTIFIER.test(schema)) throw new RangeError(`PostgresAlertStore: schema "${schema}" is not a plain lower-case identifier`);
    this.schema = schema;
    this.state = `"${schema}".alert_state`;
    this.historyTable = `"${schema}".alert_history`;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 2,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
      // A query on a connection whose server vanished must fail, not hang a round (or a scrape) forever.
      query_timeout: 10_000,
    });
    // An idle client whose server went away emits 'error'; without a handler that kills the process.
    this.pool.on('error', () => undefined);
  }

  /** Resolves once the tables exist; a failure is forgotten so the next call retries. */
  ready(): Promise<void> {
    this.created ??= this.inTransaction(async (client) => {
      // The audit migration's lock (PostgresStore): one process at a time creates the schema and tables.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vigil-migrate:${this.schema}`]);
      await client.query(ALERT_TABLES_SQL.replaceAll('{schema}', `"${this.schema}"`));
    }).catch((error: unknown) => {
      this.created = undefined;
      throw error;
    });
    return this.created;
  }

  async transition(rule: string, step: (current: AlertState | undefined) => AlertStep): Promise<void> {
    await this.ready();
    await this.inTransaction(async (client) => {
      // A lock, not SELECT … FOR UPDATE: a rule's first transition has no row to lock yet.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [`vigil-alert-state:${this.schema}`, rule]);
      const row = (await client.query<StateRow>(`SELECT * FROM ${this.state} WHERE rule = $1`, [rule])).rows[0];
      const { next, change } = step(row === undefined ? undefined : toState(row));
      // notified_id is the hand-over's to move, never a transition's.
      await client.query(
        `INSERT INTO ${this.state} (rule, state, since, value, threshold, evaluated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (rule) DO UPDATE SET state = excluded.state, since = excluded.since, value = excluded.value,
           threshold = excluded.threshold, evaluated_at = excluded.evaluated_at`,
        [rule, next.state, next.since, next.value, next.threshold, next.evaluated_at],
      );
      if (change) {
        await client.query(`INSERT INTO ${this.historyTable} (rule, from_state, to_state, value, threshold, at, notify) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
          rule,
          change.from_state,
          change.to_state,
          change.value,
          change.threshold,
          next.evaluated_at,
          change.notify === 1,
        ]);
      }
    });
  }

  async unnotified(rule: string): Promise<AlertChange[]> {
    await this.ready();
    const result = await this.pool.query<HistoryRow>(`${this.unnotifiedSql} ORDER BY id`, [rule]);
    return result.rows.map(toChange);
  }

  /**
   * One change per transaction, each under the rule's hand-over lock. The
   * lock is only tried: an evaluator that finds it taken leaves the work to
   * the one holding it (if that one fails, the next round does it), rather
   * than wait behind a hand-over that may be waiting on Redis. The state row
   * is written only after the hand-over, so a transition never waits on it.
   */
  async handOver(rule: string, handOver: (change: AlertChange) => Promise<void>): Promise<void> {
    await this.ready();
    for (;;) {
      const more = await this.inTransaction(async (client) => {
        const lock = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1), hashtext($2)) AS locked', [
          `vigil-alert-hand-over:${this.schema}`,
          rule,
        ]);
        if (lock.rows[0]?.locked !== true) return false;
        const row = (await client.query<HistoryRow>(`${this.unnotifiedSql} ORDER BY id LIMIT 1`, [rule])).rows[0];
        if (row === undefined) return false;
        await handOver(toChange(row));
        await client.query(`UPDATE ${this.state} SET notified_id = GREATEST(notified_id, $2) WHERE rule = $1`, [rule, row.id]);
        return true;
      });
      if (!more) return;
    }
  }

  async states(): Promise<AlertState[]> {
    await this.ready();
    return (await this.pool.query<StateRow>(`SELECT * FROM ${this.state} ORDER BY rule`)).rows.map(toState);
  }

  async history(limit: number): Promise<AlertChange[]> {
    await this.ready();
    return (await this.pool.query<HistoryRow>(`SELECT * FROM ${this.historyTable} ORDER BY id DESC LIMIT $1`, [limit])).rows.map(toChange);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** The rule's ($1) changes to notify that are past its notified_id; read inside the hand-over lock, it sees every earlier mark. */
  private get unnotifiedSql(): string {
    return `SELECT * FROM ${this.historyTable}
            WHERE rule = $1 AND notify AND id > COALESCE((SELECT notified_id FROM ${this.state} WHERE rule = $1), 0)`;
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has none of the pool's listeners: if the server goes away now,
    // its 'error' event would be unhandled and kill the process. The query rejects anyway.
    const ignore = () => undefined;
    client.on('error', ignore);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A client that cannot even roll back is broken: the pool drops it instead of lending it again.
      // (One whose work failed outside Postgres, a hand-over to a Redis that is away, is fine.)
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.off('error', ignore);
      client.release(broken);
    }
  }
}
