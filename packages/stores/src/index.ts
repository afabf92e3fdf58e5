export type { MonitoringReader, SampledPrediction, StoredPrediction } from './types';
export { openSqlite } from './sqlite/open-sqlite';
export type { SqliteDatabase } from './sqlite/open-sqlite';
export { SqliteWriter } from './sqlite/sqlite-writer';
export { SqliteReader } from './sqlite/sqlite-reader';
export { PostgresStore } from './postgres/postgres-store';
export type { PostgresStoreOptions } from './postgres/postgres-store';
export type { AuditRow } from './postgres/copy-rows';
