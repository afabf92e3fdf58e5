import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainModel, writeArtifacts } from '@vigil/training';
import { ResultBuilder, type Benchmark, type BenchContext } from '../harness/context';
import { referenceRows, runAutocannon } from '../harness/load';
import type { NodeProcess } from '../harness/processes';
import { BenchResources } from '../harness/resources';
import { ratio } from '../harness/results';
import { percentile, round } from '../harness/stats';
import { metricSum, scrape, startApi, startWorker } from '../harness/vigil';

const CONNECTIONS = 50;

const METHOD = [
  'autocannon (50 connections) POSTs one instance of `artifacts/reference.json` to `/predict` of two real APIs with logging on, sharing one',
  'running worker: (a) Vigil as shipped, (b) the same with `SHADOW_MODEL_PATH` set to a second fraud model (trained by the benchmark with',
  'another seed, so its scores differ), which scores every answered request after the answer and logs its scores through the pipeline.',
  'Segments alternate a b, b a, … (5 rounds of 2 s quick, 10 rounds of 3 s full) after a warm-up. Throughput counts 2xx answers; p99 is',
  'over every 2xx latency. At the end the shadow API’s metrics say how many instances the shadow scored and skipped.',
].join(' ');

interface Tally {
  ok2xx: number;
  seconds: number;
  latencies: number[];
}

/** The challenger's files in `dir`, with its own model_version. */
function writeChallenger(dir: string): string {
  writeArtifacts(trainModel({ seed: 9, size: 'tiny', referenceRows: 500 }), dir);
  const specPath = join(dir, 'model.spec.json');
  writeFileSync(specPath, JSON.stringify({ ...JSON.parse(readFileSync(specPath, 'utf8')), model_version: 'fraud-challenger@2.0.0' }));
  return join(dir, 'model.onnx');
}

async function run(ctx: BenchContext) {
  const result = new ResultBuilder(ctx, 'shadow-cost', 'shadow-cost: /predict with a challenger model beside the champion vs without', METHOD);
  const res = new BenchResources('shadow-cost');
  const queue = res.queue('shadow');
  const db = res.path('shadow.db');
  const body = JSON.stringify({ features: referenceRows()[0] });
  const rounds = ctx.quick ? 5 : 10;
  const segmentSeconds = ctx.quick ? 2 : 3;
  const all: NodeProcess[] = [];
  const tallies = { plain: { ok2xx: 0, seconds: 0, latencies: [] } as Tally, shadow: { ok2xx: 0, seconds: 0, latencies: [] } as Tally };
  let ok = false;
  let shadowPort = 0;
  try {
    const challenger = writeChallenger(res.path('challenger'));
    const worker = await startWorker('worker', { QUEUE_NAME: queue, SQLITE_PATH: db }, res.path('worker.log'));
    all.push(worker.process);
    const plain = await startApi('api-plain', { QUEUE_NAME: queue, SQLITE_PATH: db, SPOOL_DIR: res.path('spool-plain') }, res.path('api-plain.log'));
    all.push(plain.process);
    const shadow = await startApi(
      'api-shadow',
      { QUEUE_NAME: queue, SQLITE_PATH: db, SPOOL_DIR: res.path('spool-shadow'), SHADOW_MODEL_PATH: challenger },
      res.path('api-shadow.log'),
    );
    all.push(shadow.process);
    shadowPort = shadow.port;
    const servers = [
      { name: 'plain' as const, port: plain.port },
      { name: 'shadow' as const, port: shadow.port },
    ];
    for (const server of servers) {
      await runAutocannon({ url: `http://127.0.0.1:${server.port}/predict`, body, connections: CONNECTIONS, duration: ctx.quick ? 2 : 5 });
    }
    for (let r = 0; r < rounds; r++) {
      for (const server of r % 2 === 0 ? servers : [...servers].reverse()) {
        const started = performance.now();
        const load = await runAutocannon({
          url: `http://127.0.0.1:${server.port}/predict`,
          body,
          connections: CONNECTIONS,
          duration: segmentSeconds,
          keepLatencies: true,
        });
        const tally = tallies[server.name];
        tally.seconds += (performance.now() - started) / 1000;
        tally.ok2xx += load.ok2xx;
        for (const latency of load.latenciesMs ?? []) tally.latencies.push(latency);
        ctx.log(`shadow-cost: round ${r + 1}/${rounds} ${server.name}: ${Math.round(load.ok2xx / segmentSeconds)} req/s`);
      }
    }
    const metrics = await scrape(shadowPort);
    result.details.shadow = {
      scored: metricSum(metrics, 'vigil_shadow_predictions_total'),
      skippedBehind: metricSum(metrics, 'vigil_shadow_skipped_total', { reason: 'behind' }),
      skippedInvalid: metricSum(metrics, 'vigil_shadow_skipped_total', { reason: 'invalid' }),
      skippedFailed: metricSum(metrics, 'vigil_shadow_skipped_total', { reason: 'failed' }),
      served: metricSum(metrics, 'vigil_predictions_total'),
    };
    ok = true;
  } finally {
    for (const p of all.reverse()) await p.stop();
    await res.cleanUp({ keepDir: !ok });
  }
  const summary = (t: Tally) => ({
    requestsPerSecond: t.ok2xx / t.seconds,
    p99Ms: round(percentile(t.latencies, 99), 1),
    p50Ms: round(percentile(t.latencies, 50), 1),
  });
  const plain = summary(tallies.plain);
  const shadow = summary(tallies.shadow);
  const throughput = ratio(shadow.requestsPerSecond, plain.requestsPerSecond) ?? Number.NaN;
  const p99 = ratio(shadow.p99Ms, plain.p99Ms) ?? Number.NaN;
  result.figure({
    figure: 'throughput, with shadow vs without',
    unit: 'req/s',
    vigil: round(shadow.requestsPerSecond, 0),
    baselineName: 'no shadow',
    baseline: round(plain.requestsPerSecond, 0),
    ratio: throughput,
  });
  result.figure({
    figure: 'p99 latency, with shadow vs without',
    unit: 'ms',
    vigil: shadow.p99Ms,
    baselineName: 'no shadow',
    baseline: plain.p99Ms,
    ratio: p99,
  });
  const s = result.details.shadow as { scored: number; skippedBehind: number; served: number };
  result.figure({
    figure: 'shadow: instances scored / skipped behind / champion predictions served',
    unit: '',
    vigil: `${s.scored} / ${s.skippedBehind} / ${s.served}`,
  });
  result.note(
    'The shadow runs in the API process, so its session.run CPU comes out of the process that serves the requests: ' +
      'the answer never waits for it (compare the p99s), but the throughput pays for it.',
  );
  result.details.configurations = { plain, shadow };
  return result.build();
}

export const shadowCost: Benchmark = { name: 'shadow-cost', run };
