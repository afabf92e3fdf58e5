import { identifier, integerIn, nonEmpty, oneOf, onOff, queueName, urlWithProtocols, type Parser } from './parsers';
import { parseRedisUrl } from './redis-url';
import { trustProxy } from './trust-proxy';

/** One environment variable: how to parse it, its default, and the line the README shows. */
export interface VariableDefinition<T> {
  readonly name: string;
  readonly parse: Parser<T>;
  /** Raw default; `undefined` means the setting is off unless given. */
  readonly defaultValue: string | undefined;
  readonly description: string;
  /** A key or salt: error messages show only its length, never the value. */
  readonly secret?: boolean;
  /** When unset: this file in MODEL_PATH's folder (`defaultValue` is what that is for the default MODEL_PATH). */
  readonly besideModel?: string;
}

// D keeps the default's literal type, so Config knows which settings are always present.
function variable<T, D extends string | undefined>(
  name: string,
  parse: Parser<T>,
  defaultValue: D,
  description: string,
  options: { readonly secret?: boolean; readonly besideModel?: string } = {},
): VariableDefinition<T> & { readonly defaultValue: D } {
  return { name, parse, defaultValue, description, ...options };
}

/**
 * A bearer key or HMAC salt. Visible ASCII only, because it travels in an
 * Authorization header; at least 16 characters, because a short key can be
 * guessed. The message gives the length only: the loader never echoes secrets.
 */
/** REDIS_URL: one server, a Sentinel group or a Cluster (see redis-url.ts); kept as written, ioredis gets it parsed at connect time. */
function redisUrl(raw: string): string {
  parseRedisUrl(raw);
  return raw;
}

function secretToken(raw: string): string {
  if (raw.length < 16 || raw.length > 4096 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new Error(`expected 16 to 4096 visible ASCII characters without spaces (got ${raw.length} characters)`);
  }
  return raw;
}

/** A comma-separated list of names, e.g. `amount, merchant_category`; checked against the model spec at start-up. */
function nameList(raw: string): readonly string[] {
  const names = raw.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new Error('expected comma-separated names without empty entries');
  return Object.freeze([...new Set(names)]);
}

/** Comma-separated http(s) URLs (webhook receivers). */
function urlList(raw: string): readonly string[] {
  const urls = raw.split(',').map((url) => url.trim());
  for (const url of urls) urlWithProtocols(['http:', 'https:'])(url);
  return Object.freeze(urls);
}

/**
 * Every variable Vigil reads. The README's configuration table is checked
 * against this list by a test, so a new variable cannot go undocumented.
 */
export const VARIABLES = {
  port: variable('PORT', integerIn(0, 65535), '8000', 'HTTP port of the API (0 picks a free port).'),
  host: variable('HOST', nonEmpty, '0.0.0.0', 'Address the API listens on.'),
  redisUrl: variable(
    'REDIS_URL',
    redisUrl,
    'redis://127.0.0.1:6379',
    'Redis holding the log queue: `redis://` (or `rediss://`) for one server, `redis-sentinel://host:port,…/<master-name>[?db=N]` for a Sentinel group, `redis-cluster://host:port,…` for a Cluster.',
  ),
  queueName: variable('QUEUE_NAME', queueName, 'vigil-predictions', 'BullMQ queue name for prediction log batches.'),
  sqlitePath: variable('SQLITE_PATH', nonEmpty, 'artifacts/monitoring.db', 'SQLite file the worker writes first and the API reads for monitoring.'),
  auditDatabaseUrl: variable(
    'AUDIT_DATABASE_URL',
    urlWithProtocols(['postgres:', 'postgresql:']),
    undefined,
    'Postgres connection string for the audit trail; unset means no audit store.',
  ),
  auditSchema: variable('AUDIT_SCHEMA', identifier, 'public', 'Postgres schema that holds the audit tables.'),
  modelPath: variable('MODEL_PATH', nonEmpty, 'artifacts/model.onnx', 'ONNX model to serve; its spec is the file beside it with .spec.json instead of .onnx.'),
  shadowModelPath: variable(
    'SHADOW_MODEL_PATH',
    nonEmpty,
    undefined,
    'A challenger ONNX model (its spec beside it) that scores every request after the champion has answered; ' +
      "its scores are logged as role shadow under the champion's prediction_id. Unset: no shadow.",
  ),
  shadowMaxPending: variable(
    'SHADOW_MAX_PENDING',
    integerIn(1, 1_000_000),
    '1024',
    'Instances the shadow may have waiting; beyond it requests are not shadowed (vigil_shadow_skipped_total{reason="behind"}), so it never slows the champion.',
  ),
  referencePath: variable(
    'REFERENCE_PATH',
    nonEmpty,
    'artifacts/reference.json',
    'Training-feature sample that drift is measured against (written by `npm run train-model` and `npm run cli -- model init`); ' +
      "unset: `reference.json` in `MODEL_PATH`'s folder.",
    { besideModel: 'reference.json' },
  ),
  driftConfigPath: variable(
    'DRIFT_CONFIG_PATH',
    nonEmpty,
    'artifacts/drift.config.json',
    "Drift settings: which test decides per feature, thresholds, correction, sample sizes; unset: `drift.config.json` in `MODEL_PATH`'s folder, " +
      'or the built-in defaults (those of `artifacts/drift.config.json`) when there is none. Set to a missing file, it stops start-up.',
    { besideModel: 'drift.config.json' },
  ),
  qualityReferencePath: variable(
    'QUALITY_REFERENCE_PATH',
    nonEmpty,
    'artifacts/quality-reference.json',
    'Held-out probabilities and labels CBPE calibrates the model on before estimating quality of unlabeled predictions (written by `npm run train-model`, ' +
      "and by `npm run cli -- model init --label`); unset: `quality-reference.json` in `MODEL_PATH`'s folder, and when there is none the estimates " +
      'answer null (with the reason) while everything else runs. Set to a missing file, it stops start-up.',
    { besideModel: 'quality-reference.json' },
  ),
  predictionLogging: variable('PREDICTION_LOGGING', onOff, 'on', '`off` disables prediction logging (benchmarks, incidents).'),
  logBatchMaxRecords: variable('LOG_BATCH_MAX_RECORDS', integerIn(1, 10000), '500', 'The API flushes its log batcher once it holds this many records.'),
  logBatchMaxWaitMs: variable(
    'LOG_BATCH_MAX_WAIT_MS',
    integerIn(1, 10000),
    '100',
    'The API flushes its log batcher at most this many milliseconds after the first record arrived.',
  ),
  spoolDir: variable(
    'SPOOL_DIR',
    nonEmpty,
    'artifacts/spool',
    "Directory of the API's write-ahead journal: every record is written here before its answer, and batches Redis has not taken wait " +
      'here and are replayed in order. Replicas may share it (one filesystem, on one host or many): the journal of a dead one is adopted ' +
      'by a live one of the same queue and Redis.',
  ),
  spoolMaxBytes: variable(
    'SPOOL_MAX_BYTES',
    integerIn(1024 * 1024, Number.MAX_SAFE_INTEGER),
    String(1024 ** 3),
    "Largest one API instance's journal may grow (its backlog and what it adopted), in bytes; past it records are not journaled, " +
      'are counted as dropped if Redis does not take them, and /readyz fails.',
  ),
  journalFsync: variable(
    'JOURNAL_FSYNC',
    oneOf(['off', 'interval', 'always'] as const),
    'off',
    '`off`: each record reaches the kernel (write(2)) before its answer, which survives a crash of the API process, not of the machine; ' +
      '`interval`: also fsync every `JOURNAL_FSYNC_INTERVAL_MS` (a machine crash loses at most that much); `always`: fsync before each answer.',
  ),
  journalFsyncIntervalMs: variable(
    'JOURNAL_FSYNC_INTERVAL_MS',
    integerIn(10, 60_000),
    '1000',
    'With `JOURNAL_FSYNC=interval`, how often the journal is fsynced, in milliseconds.',
  ),
  journalLeaseMs: variable(
    'JOURNAL_LEASE_MS',
    integerIn(3000, 3_600_000),
    '10000',
    "An API instance refreshes its journal's lease every second; a journal whose lease is older than this many milliseconds is a dead " +
      "instance's, and a live API of the same queue and Redis adopts and replays it.",
  ),
  maxInstancesPerRequest: variable('MAX_INSTANCES_PER_REQUEST', integerIn(1, 10000), '1000', 'Largest `instances` array one /predict request may carry.'),
  bodyLimitBytes: variable('BODY_LIMIT_BYTES', integerIn(1024, 64 * 1024 * 1024), '1048576', 'Largest request body the API accepts, in bytes.'),
  shutdownGraceMs: variable(
    'SHUTDOWN_GRACE_MS',
    integerIn(0, 600_000),
    '5000',
    'On SIGTERM the API answers /readyz 503 (`shutting_down`) but keeps serving this many milliseconds before it drains, ' +
      'so load balancers stop routing to it first; SIGINT (Ctrl-C) drains at once.',
  ),
  workerConcurrency: variable(
    'WORKER_CONCURRENCY',
    integerIn(1, 64),
    '16',
    'Log batches a worker process holds at once: the next batches are fetched from Redis while one is written, and batches ' +
      'held together share one SQLite transaction (one commit, one quality-rollup upsert per cell for all of them), so a backlog drains ' +
      'about twice as fast as with 2; a lone batch is still written at once.',
  ),
  workerNice: variable(
    'WORKER_NICE',
    integerIn(0, 19),
    '10',
    'CPU priority the worker gives itself at start (Unix nice, 0 to 19): on a host it shares with API replicas, predictions ' +
      'get the CPU first and the worker writes in the time they leave; it catches up as soon as there is any. 0 keeps the default priority.',
  ),
  auditBatchSize: variable('AUDIT_BATCH_SIZE', integerIn(1, 100000), '5000', 'Rows the worker ships from SQLite to the Postgres audit per round.'),
  auditRetryMaxDelayMs: variable('AUDIT_RETRY_MAX_DELAY_MS', integerIn(10, 600000), '30000', 'Longest wait between two attempts to reach the Postgres audit.'),
  retentionDays: variable(
    'RETENTION_DAYS',
    integerIn(1, 36500),
    undefined,
    'Prune SQLite prediction rows older than this many days (never rows not yet in the audit); unset keeps every row. ' +
      'The per-minute rollups keep the long-range history.',
  ),
  auditRetentionDays: variable(
    'AUDIT_RETENTION_DAYS',
    integerIn(31, 36500),
    undefined,
    "Drop the Postgres audit's day partitions of predictions once the whole day is older than this many days (at least 31, so " +
      'every row a /monitoring window can read stays); unset keeps every day. Rollups, labels and seq ranges are kept.',
  ),
  monitoringStore: variable(
    'MONITORING_STORE',
    oneOf(['sqlite', 'postgres'] as const),
    'sqlite',
    'Where /monitoring reads from: the SQLite file (one host) or the Postgres audit (replicas on many hosts).',
  ),
  completenessGraceMs: variable(
    'COMPLETENESS_GRACE_MS',
    integerIn(0, 3_600_000),
    '60000',
    'A record an API instance served this many milliseconds ago that no store, dead letter or journal holds counts as missing ' +
      '(/monitoring/completeness, vigil_records_missing, the records_missing alert); at most 1 hour.',
  ),
  workerMetricsPort: variable(
    'WORKER_METRICS_PORT',
    integerIn(0, 65535),
    undefined,
    'Port on which a worker serves /metrics, /healthz and /readyz; unset means none (several workers on one host need different ports).',
  ),
  alertRulesPath: variable(
    'ALERT_RULES_PATH',
    nonEmpty,
    'deploy/alerts.json',
    'Alert rules (JSON): what to watch, thresholds, windows, `for` durations. Checked at start-up.',
  ),
  alerting: variable('ALERTING', onOff, 'on', '`off` stops this worker from evaluating alert rules and sending notifications.'),
  alertWebhookUrls: variable(
    'ALERT_WEBHOOK_URLS',
    urlList,
    undefined,
    'Comma-separated http(s) URLs that receive a JSON POST per alert state change (firing, resolved).',
  ),
  alertWebhookSecret: variable(
    'ALERT_WEBHOOK_SECRET',
    secretToken,
    undefined,
    'Signs each webhook body: header X-Vigil-Signature = sha256=HMAC(secret, "<X-Vigil-Timestamp>.<body>").',
    { secret: true },
  ),
  publicUrl: variable(
    'PUBLIC_URL',
    urlWithProtocols(['http:', 'https:']),
    'http://localhost:8000',
    'Where people reach the API; used for the links in alert notifications.',
  ),
  logLevel: variable('LOG_LEVEL', oneOf(['debug', 'info', 'warn', 'error'] as const), 'info', 'Least severe log line written to stderr.'),
  nodeEnv: variable('NODE_ENV', (raw) => raw.trim().toLowerCase(), 'development', '`production` makes `MONITORING_API_KEY` and `ADMIN_API_KEY` mandatory.'),
  monitoringApiKey: variable(
    'MONITORING_API_KEY',
    secretToken,
    undefined,
    'The read key: Bearer key every /monitoring request and every read under /admin (dead letters, the queue board) must carry ' +
      '(`Authorization: Bearer <key>`); unset leaves them open, which NODE_ENV=production refuses.',
    { secret: true },
  ),
  adminApiKey: variable(
    'ADMIN_API_KEY',
    secretToken,
    undefined,
    "The write key: Bearer key for POST /admin/dead-letters/:id/replay and the queue board's actions (retry, clean, pause…); it also reads " +
      'what `MONITORING_API_KEY` reads. Unset: `MONITORING_API_KEY` also allows the writes (warned at start-up), which NODE_ENV=production refuses. ' +
      'Must differ from `MONITORING_API_KEY` and `PREDICT_API_KEY`.',
    { secret: true },
  ),
  predictApiKey: variable(
    'PREDICT_API_KEY',
    secretToken,
    undefined,
    'Bearer key POST /predict must carry; unset leaves /predict open. Must differ from `MONITORING_API_KEY`.',
    { secret: true },
  ),
  feedbackApiKey: variable(
    'FEEDBACK_API_KEY',
    secretToken,
    undefined,
    'Bearer key POST /feedback must carry; unset means `PREDICT_API_KEY` (and with neither, /feedback is open). Must differ from `MONITORING_API_KEY`.',
    { secret: true },
  ),
  rateLimitPerMinute: variable(
    'RATE_LIMIT_PER_MINUTE',
    integerIn(1, 1_000_000_000),
    undefined,
    "Requests a minute one client IP may make, counted in Redis so all API replicas share one budget (a one-minute window from the client's first " +
      'request; each replica counts alone while Redis is away); past it the API answers 429 with Retry-After. Unset means no limit. ' +
      '/healthz and /readyz are never limited.',
  ),
  trustProxy: variable(
    'TRUST_PROXY',
    trustProxy,
    'false',
    'Which proxies may name the client in X-Forwarded-For (Express `trust proxy`): `false` (the TCP peer is the client), the number of proxies in front ' +
      '(e.g. `1` behind one load balancer), or comma-separated addresses and CIDR subnets of the proxies (`loopback`, `linklocal`, `uniquelocal` too). ' +
      '`true` is refused: clients could pick their own address.',
  ),
  hstsMaxAgeSeconds: variable(
    'HSTS_MAX_AGE_SECONDS',
    integerIn(0, 63_072_000),
    undefined,
    'Sends Strict-Transport-Security with this max-age; unset sends none (set it only when clients reach the API over HTTPS).',
  ),
  logRedactFeatures: variable(
    'LOG_REDACT_FEATURES',
    nameList,
    undefined,
    'Comma-separated features hashed or dropped from each prediction record before it leaves the API ' +
      '(the model still scores the real values); an unknown name stops start-up.',
  ),
  logRedactMode: variable(
    'LOG_REDACT_MODE',
    oneOf(['hash', 'drop'] as const),
    'hash',
    '`hash` stores `sha256:` + hex HMAC-SHA256 of the value keyed with `LOG_REDACT_SALT`; `drop` leaves the feature out of the record.',
  ),
  logRedactSalt: variable(
    'LOG_REDACT_SALT',
    secretToken,
    undefined,
    'HMAC key for `LOG_REDACT_MODE=hash` (required then); keep it secret, or low-cardinality values can be recovered by hashing guesses.',
    { secret: true },
  ),
} as const;

export type VariableKey = keyof typeof VARIABLES;
