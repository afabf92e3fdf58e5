import type { LabelArrivals } from './label-arrivals';
import type { LabelReader } from './labels-joined';
import type { MonitoringReaderSettings } from './open-monitoring-reader';
import { PostgresLabelArrivals } from './postgres/postgres-label-arrivals';
import { PostgresLabelReader } from './postgres/postgres-label-reader';
import { PostgresQualityReader } from './postgres/postgres-quality-reader';
import { SqliteLabelArrivals } from './sqlite/sqlite-label-arrivals';
import { SqliteLabelReader } from './sqlite/sqlite-label-reader';
import { SqliteQualityReader, type QualityReader } from './sqlite/sqlite-quality-reader';
import type { PostgresStoreOptions } from './postgres/postgres-store';

// The label and model-quality readers, from the store openMonitoringReader picks: the SQLite file (one host)
// or the Postgres audit, which alone holds every host's predictions and label versions. Each opens its own
// connection (a lazy pool of two for Postgres: a process starts while Postgres is down), for the API and the
// worker's alerting alike.

/** As openMonitoringReader: loadConfig refuses MONITORING_STORE=postgres without AUDIT_DATABASE_URL, so this only meets settings built by hand. */
function postgresOptions(settings: MonitoringReaderSettings): PostgresStoreOptions {
  if (settings.auditDatabaseUrl === undefined) throw new RangeError('monitoringStore postgres needs auditDatabaseUrl');
  return { connectionString: settings.auditDatabaseUrl, schema: settings.auditSchema, poolSize: 2 };
}

export function openQualityReader(settings: MonitoringReaderSettings): QualityReader {
  return settings.monitoringStore === 'postgres' ? PostgresQualityReader.open(postgresOptions(settings)) : SqliteQualityReader.open(settings.sqlitePath);
}

export function openLabelReader(settings: MonitoringReaderSettings): LabelReader {
  return settings.monitoringStore === 'postgres' ? PostgresLabelReader.open(postgresOptions(settings)) : SqliteLabelReader.open(settings.sqlitePath);
}

export function openLabelArrivals(settings: MonitoringReaderSettings): LabelArrivals {
  return settings.monitoringStore === 'postgres' ? PostgresLabelArrivals.open(postgresOptions(settings)) : SqliteLabelArrivals.open(settings.sqlitePath);
}
