import { openSqlite, type SqliteDatabase } from '@vigil/stores';
import type { AlertChange, AlertState, AlertStep, AlertStore } from './alert-store';

/**
 * The alert tables, kept here with the queries over them. Until this file
 * owned them they were the stores' SQLite migration 3 (now a no-op kept for
 * its number): an existing file already has them, so IF NOT EXISTS leaves it
 * as it is, and a new file gets the same tables (SQLite drops IF NOT EXISTS
 * from the schema text it keeps, so both files' schemas read alike). Never
 * edit these: a change to the alert tables needs a numbered migration.
 */
export const ALERT_TABLES_SQL = `
      -- Alert state per rule (one row each) and every state change, so a
      -- restart neither forgets a firing alert nor notifies it twice.
      CREATE TABLE IF NOT EXISTS alert_state (
        rule           TEXT    PRIMARY KEY,
        state          TEXT    NOT NULL CHECK (state IN ('inactive', 'pending', 'firing')),
        since          TEXT    NOT NULL,
        value          REAL,
        threshold      REAL,
        evaluated_at   TEXT    NOT NULL,
        -- id of the last history row whose notification was handed to the notification queue
        notified_id    INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS alert_history (
        id          INTEGER PRIMARY KEY,
        rule        TEXT NOT NULL,
        from_state  TEXT NOT NULL,
        to_state    TEXT NOT NULL,
        value       REAL,
        threshold   REAL,
        at          TEXT NOT NULL,
        -- 1 when this change is one a receiver hears about (firing, or resolved after firing)
        notify      INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS alert_history_rule ON alert_history (rule, id);
    `;

/**
 * Alert state and history in the monitoring SQLite file (tables:
 * {@link ALERT_TABLES_SQL}): the single-host store. Processes sharing the
 * file share the state; hosts with a file each do not (that is what the
 * Postgres store is for).
 */
export class SqliteAlertStore implements AlertStore {
  private readonly getState;
  private readonly putState;
  private readonly addChange;
  private readonly pendingNotifications;
  private readonly markNotifiedStatement;
  private readonly allStates;
  private readonly newestChanges;

  /** `owned`: close() closes the database too (it was opened for this store). */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly owned = false,
  ) {
    // IMMEDIATE, like the stores' migrations: the API and the workers may all start at once.
    db.transaction(() => db.exec(ALERT_TABLES_SQL)).immediate();
    this.getState = db.prepare<[string], AlertState>('SELECT * FROM alert_state WHERE rule = ?');
    this.putState = db.prepare(
      `INSERT INTO alert_state (rule, state, since, value, threshold, evaluated_at, notified_id)
       VALUES (@rule, @state, @since, @value, @threshold, @evaluated_at, @notified_id)
       ON CONFLICT (rule) DO UPDATE SET state = excluded.state, since = excluded.since, value = excluded.value,
         threshold = excluded.threshold, evaluated_at = excluded.evaluated_at`,
    );
    this.addChange = db.prepare('INSERT INTO alert_history (rule, from_state, to_state, value, threshold, at, notify) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.pendingNotifications = db.prepare<[string, number], AlertChange>('SELECT * FROM alert_history WHERE rule = ? AND id > ? AND notify = 1 ORDER BY id');
    this.markNotifiedStatement = db.prepare('UPDATE alert_state SET notified_id = max(notified_id, ?) WHERE rule = ?');
    this.allStates = db.prepare<[], AlertState>('SELECT * FROM alert_state ORDER BY rule');
    this.newestChanges = db.prepare<[number], AlertChange>('SELECT * FROM alert_history ORDER BY id DESC LIMIT ?');
  }

  /** Opens (creating if needed) the monitoring file at `path` for this store alone. */
  static open(path: string): SqliteAlertStore {
    return new SqliteAlertStore(openSqlite(path), true);
  }

  /** One IMMEDIATE transaction: the write lock is taken before the read, so no other process can interleave. */
  async transition(rule: string, step: (current: AlertState | undefined) => AlertStep): Promise<void> {
    this.db
      .transaction(() => {
        const current = this.getState.get(rule);
        const { next, change } = step(current);
        this.putState.run({ ...next, notified_id: current?.notified_id ?? 0 });
        if (change) this.addChange.run(rule, change.from_state, change.to_state, change.value, change.threshold, next.evaluated_at, change.notify);
      })
      .immediate();
  }

  async unnotified(rule: string): Promise<AlertChange[]> {
    return this.unnotifiedNow(rule);
  }

  /**
   * better-sqlite3's transactions cannot span an await, so nothing here
   * stops two evaluators of one file from handing the same change over at
   * once; the evaluation scheduler gives each tick to one worker, and the
   * notification queue drops the second hand-over (its job id is the change's).
   */
  async handOver(rule: string, handOver: (change: AlertChange) => Promise<void>): Promise<void> {
    for (const change of this.unnotifiedNow(rule)) {
      await handOver(change);
      this.markNotifiedStatement.run(change.id, rule);
    }
  }

  async states(): Promise<AlertState[]> {
    return this.allStates.all();
  }

  async history(limit: number): Promise<AlertChange[]> {
    return this.newestChanges.all(limit);
  }

  async close(): Promise<void> {
    if (this.owned) this.db.close();
  }

  private unnotifiedNow(rule: string): AlertChange[] {
    const state = this.getState.get(rule);
    return this.pendingNotifications.all(rule, state?.notified_id ?? 0);
  }
}
