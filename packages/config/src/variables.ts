import { identifier, integerIn, nonEmpty, oneOf, onOff, queueName, urlWithProtocols, type Parser } from './parsers';

/** One environment variable: how to parse it, its default, and the line the README shows. */
export interface VariableDefinition<T> {
  readonly name: string;
  readonly parse: Parser<T>;
  /** Raw default; `undefined` means the setting is off unless given. */
  readonly defaultValue: string | undefined;
  readonly description: string;
}

// D keeps the default's literal type, so Config knows which settings are always present.
function variable<T, D extends string | undefined>(name: string, parse: Parser<T>, defaultValue: D, description: string): VariableDefinition<T> & { readonly defaultValue: D } {
  return { name, parse, defaultValue, description };
}

/**
 * Every variable Vigil reads. The README's configuration table is checked
 * against this list by a test, so a new variable cannot go undocumented.
 */
export const VARIABLES = {
  port: variable('PORT', integerIn(0, 65535), '8000', 'HTTP port of the API (0 picks a free port).'),
  host: variable('HOST', nonEmpty, '0.0.0.0', 'Address the API listens on.'),
  redisUrl: variable('REDIS_URL', urlWithProtocols(['redis:', 'rediss:']), 'redis://127.0.0.1:6379', 'Redis holding the log queue.'),
  queueName: variable('QUEUE_NAME', queueName, 'vigil-predictions', 'BullMQ queue name for prediction log batches.'),
  sqlitePath: variable('SQLITE_PATH', nonEmpty, 'artifacts/monitoring.db', 'SQLite file the worker writes first and the API reads for monitoring.'),
  auditDatabaseUrl: variable('AUDIT_DATABASE_URL', urlWithProtocols(['postgres:', 'postgresql:']), undefined, 'Postgres connection string for the audit trail; unset means no audit store.'),
  auditSchema: variable('AUDIT_SCHEMA', identifier, 'public', 'Postgres schema that holds the audit tables.'),
  modelPath: variable('MODEL_PATH', nonEmpty, 'artifacts/model.onnx', 'ONNX model to serve; its spec is the file beside it with .spec.json instead of .onnx.'),
  predictionLogging: variable('PREDICTION_LOGGING', onOff, 'on', '`off` disables prediction logging (benchmarks, incidents).'),
  logBatchMaxRecords: variable('LOG_BATCH_MAX_RECORDS', integerIn(1, 10000), '500', 'The API flushes its log batcher once it holds this many records.'),
  logBatchMaxWaitMs: variable('LOG_BATCH_MAX_WAIT_MS', integerIn(1, 10000), '10', 'The API flushes its log batcher at most this many milliseconds after the first record arrived.'),
  maxInstancesPerRequest: variable('MAX_INSTANCES_PER_REQUEST', integerIn(1, 10000), '1000', 'Largest `instances` array one /predict request may carry.'),
  bodyLimitBytes: variable('BODY_LIMIT_BYTES', integerIn(1024, 64 * 1024 * 1024), '1048576', 'Largest request body the API accepts, in bytes.'),
  workerConcurrency: variable('WORKER_CONCURRENCY', integerIn(1, 64), '1', 'Log batches one worker process writes at once (SQLite takes one writer at a time).'),
  auditBatchSize: variable('AUDIT_BATCH_SIZE', integerIn(1, 100000), '5000', 'Rows the worker ships from SQLite to the Postgres audit per round.'),
  auditRetryMaxDelayMs: variable('AUDIT_RETRY_MAX_DELAY_MS', integerIn(10, 600000), '30000', 'Longest wait between two attempts to reach the Postgres audit.'),
  monitoringStore: variable('MONITORING_STORE', oneOf(['sqlite', 'postgres'] as const), 'sqlite', 'Where /monitoring reads from: the SQLite file (one host) or the Postgres audit (replicas on many hosts).'),
  workerMetricsPort: variable('WORKER_METRICS_PORT', integerIn(0, 65535), undefined, 'Port on which a worker serves /metrics; unset means none (several workers on one host need different ports).'),
  logLevel: variable('LOG_LEVEL', oneOf(['debug', 'info', 'warn', 'error'] as const), 'info', 'Least severe log line written to stderr.'),
} as const;

export type VariableKey = keyof typeof VARIABLES;
