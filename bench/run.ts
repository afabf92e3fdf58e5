/**
 * Runs the benchmarks and writes bench/results/<name>.json and BENCHMARKS.md.
 *
 *   tsx bench/run.ts [--quick] [--only name[,name]]
 *
 * Needs Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379) and Postgres
 * (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test).
 */
import { apiMemory } from './benchmarks/api-memory';
import { exportBenchmark } from './benchmarks/export';
import { freshness } from './benchmarks/freshness';
import { inferenceBatching } from './benchmarks/inference-batching';
import { modelQuality } from './benchmarks/model-quality';
import { monitoringQueries } from './benchmarks/monitoring-queries';
import { partitionedAudit } from './benchmarks/partitioned-audit';
import { pipelineCapacity } from './benchmarks/pipeline-capacity';
import { redisCluster } from './benchmarks/redis-cluster';
import { requestPath } from './benchmarks/request-path';
import { shadowCost } from './benchmarks/shadow-cost';
import type { BenchContext, Benchmark } from './harness/context';
import { writeBenchmarksMd } from './harness/report';
import { liveProcesses } from './harness/processes';
import { BenchResources } from './harness/resources';
import { readResults, writeResult, type BenchmarkResult } from './harness/results';

const BENCHMARKS: readonly Benchmark[] = [
  requestPath,
  pipelineCapacity,
  freshness,
  apiMemory,
  monitoringQueries,
  inferenceBatching,
  modelQuality,
  shadowCost,
  exportBenchmark,
  partitionedAudit,
  redisCluster,
];

function parseArgs(argv: readonly string[]): { quick: boolean; only: string[] | undefined } {
  let quick = false;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--quick') quick = true;
    else if (arg === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter(Boolean);
    else throw new Error(`unknown argument ${arg}; usage: tsx bench/run.ts [--quick] [--only ${BENCHMARKS.map((b) => b.name).join('|')}]`);
  }
  const unknown = only?.filter((name) => !BENCHMARKS.some((b) => b.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  return { quick, only };
}

function printRatios(result: BenchmarkResult): void {
  for (const f of result.figures) {
    if (f.ratio === undefined && f.pass === undefined) continue;
    const verdict = f.pass === undefined ? '' : f.pass ? '  pass' : '  FAIL';
    const ratioText = f.ratio === undefined ? String(f.vigil) : `ratio ${f.ratio.toFixed(2)} (Vigil ${f.vigil} vs ${f.baselineName} ${f.baseline} ${f.unit})`;
    process.stdout.write(`  ${f.figure}: ${ratioText}${f.target ? `, target ${f.target}` : ''}${verdict}\n`);
  }
}

const { quick, only } = parseArgs(process.argv.slice(2));
const ctx: BenchContext = {
  quick,
  command: `npm run bench${quick || only ? ' --' : ''}${quick ? ' --quick' : ''}${only ? ` --only ${only.join(',')}` : ''}`,
  log: (message) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`),
};

// Interrupted or crashed: stop our child processes and delete our queues, schemas and temp files before exiting.
let aborting = false;
function abort(reason: string, code: number): void {
  if (aborting) return;
  aborting = true;
  ctx.log(`${reason}: stopping ${liveProcesses.size} processes and cleaning up`);
  void (async () => {
    await Promise.all([...liveProcesses].map((p) => p.stop(5000)));
    for (const resources of [...BenchResources.live]) await resources.cleanUp().catch(() => undefined);
    process.exit(code);
  })();
}
process.once('SIGINT', () => abort('SIGINT', 130));
process.once('SIGTERM', () => abort('SIGTERM', 143));
process.on('uncaughtException', (error) => abort(`uncaught ${error.stack ?? error.message}`, 1));
process.on('unhandledRejection', (error) => abort(`unhandled rejection ${(error as Error)?.stack ?? String(error)}`, 1));

const started = Date.now();
let failed = 0;
for (const benchmark of BENCHMARKS) {
  if (only !== undefined && !only.includes(benchmark.name)) continue;
  ctx.log(`${benchmark.name}: start (${quick ? 'quick' : 'full'})`);
  try {
    const result = await benchmark.run(ctx);
    const path = writeResult(result);
    process.stdout.write(`\n${benchmark.name} (${result.durationSeconds} s) → ${path}\n`);
    printRatios(result);
  } catch (error) {
    failed += 1;
    process.stderr.write(`${benchmark.name} failed: ${(error as Error).stack ?? String(error)}\n`);
  }
}
writeBenchmarksMd(readResults());
process.stdout.write(`\nBENCHMARKS.md written (${Math.round((Date.now() - started) / 1000)} s in all)\n`);
process.exit(failed > 0 ? 1 : 0);
