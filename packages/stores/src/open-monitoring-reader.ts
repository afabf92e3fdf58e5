import { PostgresStore } from './postgres/postgres-store';
import { SqliteReader } from './sqlite/sqlite-reader';
import type { MonitoringReader } from './types';

/**
 * Where the monitoring answers come from. Field names match the validated
 * `Config` of @vigil/config, so a process passes its config itself; declared
 * here so the stores need not depend on the config package.
 */
export interface MonitoringReaderSettings {
  /** `sqlite`: the file the worker writes (one host); `postgres`: the audit (replicas on many hosts). */
  readonly monitoringStore: 'sqlite' | 'postgres';
  readonly auditDatabaseUrl: string | undefined;
  readonly auditSchema: string;
  readonly sqlitePath: string;
}

/**
 * The one place that picks the monitoring reader, for the API, the worker's
 * alerting and the CLI alike. loadConfig refuses MONITORING_STORE=postgres
 * without AUDIT_DATABASE_URL, so the error below only meets settings built
 * by hand; nothing falls back to SQLite behind the operator's back.
 */
export function openMonitoringReader(settings: MonitoringReaderSettings): MonitoringReader {
  if (settings.monitoringStore === 'postgres') {
    if (settings.auditDatabaseUrl === undefined) throw new RangeError('openMonitoringReader: monitoringStore postgres needs auditDatabaseUrl');
    // Lazy, so a process (the API and its /predict) starts while Postgres is down; monitoring queries fail until it is back.
    return PostgresStore.lazy({ connectionString: settings.auditDatabaseUrl, schema: settings.auditSchema });
  }
  return SqliteReader.open(settings.sqlitePath);
}
