import type { MonitoringReaderSettings } from '@vigil/stores';
import type { ExportSource } from '../export-types';
import { PostgresExportSource } from './postgres-export-source';
import { SqliteExportSource } from './sqlite-export-source';

/**
 * MONITORING_STORE picks the source, as it picks every monitoring reader:
 * the SQLite file (SQLITE_PATH) or the Postgres audit (AUDIT_DATABASE_URL,
 * AUDIT_SCHEMA). Pass the validated Config. Neither opens anything yet.
 */
export function openExportSource(settings: MonitoringReaderSettings): ExportSource {
  if (settings.monitoringStore === 'postgres') {
    if (settings.auditDatabaseUrl === undefined) throw new RangeError('openExportSource: monitoringStore postgres needs auditDatabaseUrl');
    return new PostgresExportSource({ connectionString: settings.auditDatabaseUrl, schema: settings.auditSchema });
  }
  return new SqliteExportSource(settings.sqlitePath);
}
