import type { SqliteDatabase } from '@vigil/stores';

export type AlertStateName = 'inactive' | 'pending' | 'firing';

export interface AlertState {
  readonly rule: string;
  readonly state: AlertStateName;
  readonly since: string;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly evaluated_at: string;
  readonly notified_id: number;
}

export interface AlertChange {
  readonly id: number;
  readonly rule: string;
  readonly from_state: string;
  /** 'pending', 'firing', 'inactive', or 'resolved' (firing → inactive). */
  readonly to_state: string;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly at: string;
  readonly notify: number;
}

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

/** Alert state and history in the monitoring SQLite file (tables: {@link ALERT_TABLES_SQL}). */
export class AlertStore {
  private readonly getState;
  private readonly putState;
  private readonly addChange;
  private readonly pendingNotifications;
  private readonly markNotifiedStatement;

  constructor(private readonly db: SqliteDatabase) {
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
  }

  /**
   * Runs `step` on the rule's current state inside one IMMEDIATE transaction:
   * two evaluators can never both see "pending" and both record "firing".
   */
  transition(
    rule: string,
    step: (current: AlertState | undefined) => { next: Omit<AlertState, 'notified_id'>; change?: Omit<AlertChange, 'id' | 'rule' | 'at'> },
  ): void {
    this.db
      .transaction(() => {
        const current = this.getState.get(rule);
        const { next, change } = step(current);
        this.putState.run({ ...next, notified_id: current?.notified_id ?? 0 });
        if (change) this.addChange.run(rule, change.from_state, change.to_state, change.value, change.threshold, next.evaluated_at, change.notify);
      })
      .immediate();
  }

  /** Changes a receiver should hear about that have not been handed to the notifier yet. */
  unnotified(rule: string): AlertChange[] {
    const state = this.getState.get(rule);
    return this.pendingNotifications.all(rule, state?.notified_id ?? 0);
  }

  markNotified(rule: string, changeId: number): void {
    this.markNotifiedStatement.run(changeId, rule);
  }

  states(): AlertState[] {
    return this.db.prepare<[], AlertState>('SELECT * FROM alert_state ORDER BY rule').all();
  }

  history(limit: number): AlertChange[] {
    return this.db.prepare<[number], AlertChange>('SELECT * FROM alert_history ORDER BY id DESC LIMIT ?').all(limit);
  }
}
