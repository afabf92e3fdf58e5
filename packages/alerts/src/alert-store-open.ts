import type { AlertStore } from './alert-store';
import { PostgresAlertStore } from './alert-store-postgres';
import { SqliteAlertStore } from './alert-store-sqlite';

/** Where alert state lives. Field names match the validated `Config` of @vigil/config. */
export interface AlertStoreSettings {
  /** The monitoring SQLite file: alert state lives there when no audit database is configured. */
  readonly sqlitePath: string;
  /** AUDIT_DATABASE_URL: when set, alert state lives in Postgres, shared by every host. */
  readonly auditDatabaseUrl: string | undefined;
  readonly auditSchema: string;
}

/**
 * The one place that picks the alert store, for the worker's evaluator and
 * the API alike, so both always read and write the same state: Postgres
 * (in AUDIT_SCHEMA) whenever an audit database is configured, whatever
 * MONITORING_STORE says, because a worker host's SQLite file is its own
 * and state kept there is not seen by the other hosts; otherwise SQLite.
 * The Postgres store connects lazily: a process starts while it is down.
 */
export function openAlertStore(settings: AlertStoreSettings, options: { readonly connectionTimeoutMs?: number } = {}): AlertStore {
  if (settings.auditDatabaseUrl === undefined) return SqliteAlertStore.open(settings.sqlitePath);
  return new PostgresAlertStore({ connectionString: settings.auditDatabaseUrl, schema: settings.auditSchema, ...options });
}
