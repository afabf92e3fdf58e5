import type { BenchmarkResult } from './results';

/** The measured inputs of the capacity model, each from one benchmark's raw details; undefined where that run is missing. */
interface Measured {
  apiMicrosPerRequest?: number;
  workerMicrosPerRequest?: number;
  redisMicrosPerRequest?: number;
  requestPathMode?: string;
  workerSqliteMicrosPerRow?: number;
  workerSqliteRowsPerSecond?: number;
  workerPostgresMicrosPerRow?: number;
  auditRowsPerSecond?: number;
  pipelineMode?: string;
  postgresBytesPerRow?: number;
  copyRowsPerSecond?: number;
  partitionMode?: string;
  sqliteBytesPerRow?: number;
  exportMode?: string;
}

type Details = Record<string, unknown>;
const at = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((node, key) => (node as Details | undefined)?.[key], value);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function measured(results: readonly BenchmarkResult[]): Measured {
  const byName = new Map(results.map((result) => [result.name, result]));
  const m: Measured = {};
  const requestPath = byName.get('request-path');
  if (requestPath) {
    const cpu = at(requestPath.details, 'configurations', 'vigil', 'cpuMicrosecondsPerRequest');
    m.apiMicrosPerRequest = num(at(cpu, 'api'));
    m.workerMicrosPerRequest = num(at(cpu, 'worker'));
    m.redisMicrosPerRequest = num(at(cpu, 'redis'));
    m.requestPathMode = requestPath.mode;
  }
  const pipeline = byName.get('pipeline-capacity');
  if (pipeline) {
    const rows = num(at(pipeline.details, 'vigilSqlite', 'drain', 'final'));
    const cpu = num(at(pipeline.details, 'vigilSqlite', 'cpuSeconds'));
    if (rows !== undefined && cpu !== undefined && rows > 0) m.workerSqliteMicrosPerRow = (cpu * 1e6) / rows;
    m.workerSqliteRowsPerSecond = num(at(pipeline.details, 'vigilSqlite', 'drain', 'rowsPerSecond'));
    const auditRows = num(at(pipeline.details, 'vigilPostgres', 'final'));
    const auditCpu = num(at(pipeline.details, 'vigilPostgres', 'workerCpuSeconds'));
    if (auditRows !== undefined && auditCpu !== undefined && auditRows > 0) m.workerPostgresMicrosPerRow = (auditCpu * 1e6) / auditRows;
    m.auditRowsPerSecond = num(at(pipeline.details, 'vigilPostgres', 'rowsPerSecond'));
    m.pipelineMode = pipeline.mode;
  }
  const partitions = byName.get('partitioned-audit');
  if (partitions) {
    const bytes = num(at(partitions.details, 'bytes', 'partitioned'));
    const held = num(at(partitions.details, 'rows'));
    if (bytes !== undefined && held !== undefined && held > 0) m.postgresBytesPerRow = bytes / held;
    m.copyRowsPerSecond = num(at(partitions.details, 'copyRowsPerSecond', 'partitioned'));
    m.partitionMode = partitions.mode;
  }
  const exported = byName.get('export');
  if (exported) {
    const rows = num(at(exported.details, 'rows'));
    const mb = num(at(exported.details, 'sqliteMb'));
    if (rows !== undefined && mb !== undefined && rows > 0) m.sqliteBytesPerRow = (mb * 1024 * 1024) / rows;
    m.exportMode = exported.mode;
  }
  return m;
}

/** One row of the measured table. */
const stage = (what: string, figure: string, from: string, mode: string | undefined, perCoreText: string): string =>
  `| ${what} | ${figure} | ${from} (${mode ?? 'not run'}) | ${perCoreText} |`;

const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined ? 'not measured' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const cores = (rate: number, micros: number | undefined): string => (micros === undefined ? '?' : ((rate * micros) / 1e6).toFixed(2));

/**
 * BENCHMARKS.md's capacity model: per-stage CPU and bytes per prediction from the
 * latest results, what one core of each stage sustains, and the cores a deployment
 * needs at 1k, 10k and 100k predictions/s. Only the per-stage figures are measured;
 * every total built from them is an extrapolation and says so.
 */
export function capacitySection(results: readonly BenchmarkResult[]): string[] {
  const m = measured(results);
  const perCore = (micros: number | undefined, what: string) => (micros === undefined ? 'not measured' : `${fmt(1e6 / micros)} ${what}/s`);
  const rows = [1_000, 10_000, 100_000].map((rate) => {
    const sqliteHosts = m.workerSqliteRowsPerSecond === undefined ? '?' : String(Math.ceil(rate / m.workerSqliteRowsPerSecond));
    const auditDisk = m.postgresBytesPerRow === undefined ? '?' : `${fmt((rate * 86_400 * m.postgresBytesPerRow) / 1e9, 0)} GB`;
    return (
      `| ${fmt(rate)} | ${cores(rate, m.apiMicrosPerRequest)} | ${cores(rate, m.redisMicrosPerRequest)} | ` +
      `${cores(rate, (m.workerSqliteMicrosPerRow ?? 0) + (m.workerPostgresMicrosPerRow ?? 0) || undefined)} | ${sqliteHosts} | ${auditDisk} |`
    );
  });
  return [
    '## Capacity model',
    '',
    'Built from the latest results above when BENCHMARKS.md is written; **measured** are the per-stage figures of the first table',
    '(each from the run named), **extrapolated** is everything in the second: cores scale linearly from one 2-core machine, which',
    'ignores contention, network and disk limits, so treat it as a lower bound on hardware.',
    '',
    '| stage | measured figure | from | one core sustains (extrapolated) |',
    '| --- | --- | --- | --- |',
    stage(
      'API: one `/predict` (one instance), logging on',
      `${fmt(m.apiMicrosPerRequest)} µs CPU`,
      'request-path',
      m.requestPathMode,
      perCore(m.apiMicrosPerRequest, 'requests'),
    ),
    stage(
      'Redis: its share per request (upper bound: a shared server)',
      `${fmt(m.redisMicrosPerRequest)} µs CPU`,
      'request-path',
      m.requestPathMode,
      `${perCore(m.redisMicrosPerRequest, 'requests')} (one command thread per server)`,
    ),
    stage(
      'worker: a row into SQLite (queue, parse, write, rollups)',
      `${fmt(m.workerSqliteMicrosPerRow, 1)} µs CPU; ${fmt(m.workerSqliteRowsPerSecond)} rows/s per file`,
      'pipeline-capacity',
      m.pipelineMode,
      `${perCore(m.workerSqliteMicrosPerRow, 'rows')}, one writer per SQLite file`,
    ),
    stage(
      'worker: shipping a row to Postgres',
      `${fmt(m.workerPostgresMicrosPerRow, 1)} µs worker CPU; ${fmt(m.auditRowsPerSecond)} rows/s`,
      'pipeline-capacity',
      m.pipelineMode,
      `${perCore(m.workerPostgresMicrosPerRow, 'rows')} (Postgres's own CPU not measured)`,
    ),
    stage('Postgres: COPY into the partitioned audit', `${fmt(m.copyRowsPerSecond)} rows/s, one client`, 'partitioned-audit', m.partitionMode, '—'),
    stage('Postgres: bytes per prediction (table, indexes, TOAST)', `${fmt(m.postgresBytesPerRow)} B`, 'partitioned-audit', m.partitionMode, '—'),
    stage('SQLite: bytes per prediction (file size / rows, as the export benchmark filled it)', `${fmt(m.sqliteBytesPerRow)} B`, 'export', m.exportMode, '—'),
    '',
    'Cores and hosts a deployment needs (extrapolated from the figures above, for single-instance requests; batch requests were not measured here):',
    '',
    '| predictions/s | API cores | Redis cores | worker cores (SQLite + audit shipping) | worker hosts (one SQLite writer each) | audit growth per day |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '- Redis runs one command thread per server: past about one core of Redis work the log queue needs a Cluster with the queue split over',
    '  slots (see the README, "Redis Sentinel and Redis Cluster"); a sharded queue measured 0.96× one queue with the SQLite store here.',
    "- SQLite takes one writer per file: past one worker host's rows/s, hosts each keep their own file and Postgres is the shared store.",
    "- Postgres's own CPU per row was not measured; the COPY rate above is this 2-core machine's, with the load generator on it.",
    '',
  ];
}
