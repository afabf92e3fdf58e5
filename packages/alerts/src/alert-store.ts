export type AlertStateName = 'inactive' | 'pending' | 'firing';

export interface AlertState {
  readonly rule: string;
  readonly state: AlertStateName;
  readonly since: string;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly evaluated_at: string;
  /** Id of the last history row whose notification was handed to the notifier. */
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
  /** 1 when this change is one a receiver hears about (firing, or resolved after firing). */
  readonly notify: number;
}

/** What one evaluation makes of a rule's state: its next state and, when it changed, the change to record. */
export interface AlertStep {
  readonly next: Omit<AlertState, 'notified_id'>;
  readonly change?: Omit<AlertChange, 'id' | 'rule' | 'at'>;
}

/**
 * Alert state (one row per rule) and history (every change). Two
 * implementations: SQLite (alert-store-sqlite.ts), the single-host default,
 * and Postgres (alert-store-postgres.ts), shared by every host when an audit
 * database is configured; openAlertStore (alert-store-open.ts) picks one.
 */
export interface AlertStore {
  /**
   * Runs `step` on the rule's current state and records what it returns,
   * atomically against every other evaluator of the same store: two
   * evaluators can never both see "pending" and both record "firing".
   */
  transition(rule: string, step: (current: AlertState | undefined) => AlertStep): Promise<void>;
  /** Changes a receiver should hear about that have not been handed to the notifier yet, oldest first. */
  unnotified(rule: string): Promise<AlertChange[]>;
  /**
   * Hands each unnotified change of the rule, oldest first, to `handOver`,
   * and marks it handed over once `handOver` resolves. A rejection stops
   * there (that change and later ones wait for the next call) and is
   * rethrown. A crash between `handOver` and the mark hands the change over
   * again next time, so `handOver` must be idempotent on the change.
   */
  handOver(rule: string, handOver: (change: AlertChange) => Promise<void>): Promise<void>;
  states(): Promise<AlertState[]>;
  /** The newest `limit` changes, newest first. */
  history(limit: number): Promise<AlertChange[]>;
  close(): Promise<void>;
}
