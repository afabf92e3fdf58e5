import { ResultBuilder, type Benchmark, type BenchContext } from '../harness/context';
import { referenceRows, runAutocannon } from '../harness/load';
import { freePort, RssSampler, sleep, type NodeProcess } from '../harness/processes';
import { BenchResources } from '../harness/resources';
import { median, round } from '../harness/stats';
import { metricSum, scrape, startApi, startWorker } from '../harness/vigil';

const INSTANCES_PER_REQUEST = 100;
const WARMUP_PREDICTIONS = 20_000;

const METHOD = [
  'The real API (logging on) is sent `{"instances": [100 rows of artifacts/reference.json]}` requests by autocannon (10 connections)',
  'until it has made 1,000,000 predictions (full) or 100,000 (quick), after a warm-up of 20,000 predictions. Its RSS is read from /proc every 250 ms.',
  'Growth is the RSS at the end (2 s after the last answer, once the batcher has flushed) minus the RSS after the warm-up; the RSS at each',
  "quarter of the load shows whether it keeps climbing (a leak) or levels off (the heap reaching its working size), and the API's own",
  '`nodejs_heap_size_used_bytes` gives the V8 heap in use (garbage included).',
  'Twice: with Redis up (the worker running, draining the queue into SQLite) and with Redis down (`REDIS_URL` pointing at a port where',
  'nothing listens, `SPOOL_DIR` a temp dir, so every batch goes to the disk spool).',
].join(' ');

interface MemoryRun {
  readonly label: string;
  readonly startMb: number;
  readonly afterWarmupMb: number;
  readonly peakMb: number;
  readonly medianMb: number;
  readonly endMb: number;
  readonly growthMb: number;
  /** RSS at 25, 50, 75 and 100 % of the load's duration: a leak keeps climbing, a warming heap flattens. */
  readonly quartilesMb: number[];
  readonly heapUsedMb: { afterWarmup: number; peak: number; end: number; samples: number[] };
  readonly predictions: number;
  readonly requestsPerSecond: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly metrics: Record<string, number>;
}

async function measure(ctx: BenchContext, label: string, api: { process: NodeProcess; port: number }, predictions: number): Promise<MemoryRun> {
  const rows = referenceRows();
  const body = JSON.stringify({ instances: rows.slice(0, INSTANCES_PER_REQUEST) });
  const url = `http://127.0.0.1:${api.port}/predict`;
  const sampler = new RssSampler(api.process, 250);
  const startMb = sampler.samples[0]?.mb ?? Number.NaN;
  ctx.log(`api-memory: ${label}: warm-up ${WARMUP_PREDICTIONS} predictions`);
  await runAutocannon({ url, body, connections: 10, amount: WARMUP_PREDICTIONS / INSTANCES_PER_REQUEST });
  await sleep(1000);
  const afterWarmupMb = sampler.sample() ?? Number.NaN;
  const heapAfterWarmup = metricSum(await scrape(api.port), 'nodejs_heap_size_used_bytes') / 1024 / 1024;
  const peakBefore = sampler.samples.length;
  ctx.log(`api-memory: ${label}: ${predictions} predictions`);
  // The V8 heap in use, once a second: RSS that grows with it and falls back after a major GC is no leak.
  const heapSamples: number[] = [];
  const heapTimer = setInterval(() => {
    void scrape(api.port).then((t) => heapSamples.push(round(metricSum(t, 'nodejs_heap_size_used_bytes') / 1024 / 1024, 1)));
  }, 1000);
  const load = await runAutocannon({ url, body, connections: 10, amount: predictions / INSTANCES_PER_REQUEST });
  clearInterval(heapTimer);
  const loadSamples = sampler.samples.slice(peakBefore);
  await sleep(2000); // the batcher and in-flight enqueues are done well within this
  sampler.stop();
  const endMb = sampler.samples[sampler.samples.length - 1]?.mb ?? Number.NaN;
  const during = sampler.samples.slice(peakBefore).map((s) => s.mb);
  const quartilesMb = [0.25, 0.5, 0.75, 1].map(
    (q) => loadSamples[Math.min(loadSamples.length - 1, Math.max(0, Math.round(q * loadSamples.length) - 1))]?.mb ?? Number.NaN,
  );
  const text = await scrape(api.port);
  const metrics = Object.fromEntries(
    [
      'vigil_predictions_total',
      'vigil_log_records_enqueued_total',
      'vigil_log_records_enqueue_failed_total',
      'vigil_log_records_spooled_total',
      'vigil_log_records_dropped_total',
      'vigil_spool_bytes',
    ].map((name) => [name, metricSum(text, name)]),
  );
  ctx.log(`api-memory: ${label}: RSS ${round(afterWarmupMb, 0)} → ${round(endMb, 0)} MB (peak ${round(Math.max(...during), 0)})`);
  return {
    label,
    startMb,
    afterWarmupMb,
    peakMb: Math.max(...during),
    medianMb: median(during),
    endMb,
    growthMb: endMb - afterWarmupMb,
    quartilesMb,
    heapUsedMb: {
      afterWarmup: round(heapAfterWarmup, 1),
      peak: Math.max(heapAfterWarmup, ...heapSamples),
      end: round(metricSum(text, 'nodejs_heap_size_used_bytes') / 1024 / 1024, 1),
      samples: heapSamples,
    },
    predictions: load.ok2xx * INSTANCES_PER_REQUEST,
    requestsPerSecond: load.requestsPerSecond,
    non2xx: load.non2xx,
    errors: load.errors,
    metrics,
  };
}

async function run(ctx: BenchContext) {
  const result = new ResultBuilder(ctx, 'api-memory', 'api-memory: API RSS growth over many predictions, Redis up and Redis down', METHOD);
  const res = new BenchResources('api-memory');
  const queue = res.queue('vigil');
  const db = res.path('vigil.db');
  const predictions = ctx.quick ? 100_000 : 1_000_000;
  const runs: MemoryRun[] = [];
  const running: NodeProcess[] = [];
  let ok = false;
  try {
    // Redis up: the worker drains the queue as in production.
    const worker = await startWorker('worker', { QUEUE_NAME: queue, SQLITE_PATH: db }, res.path('worker.log'));
    running.push(worker.process);
    const up = await startApi(
      'api-redis-up',
      { QUEUE_NAME: queue, SQLITE_PATH: db, PREDICTION_LOGGING: 'on', SPOOL_DIR: res.path('spool-up') },
      res.path('api-up.log'),
    );
    running.push(up.process);
    runs.push(await measure(ctx, 'Redis up', up, predictions));
    await up.process.stop();
    await worker.process.stop();

    // Redis down: nothing listens on this port, so every batch is spooled to disk.
    const deadPort = await freePort();
    const down = await startApi(
      'api-redis-down',
      { QUEUE_NAME: queue, SQLITE_PATH: db, PREDICTION_LOGGING: 'on', REDIS_URL: `redis://127.0.0.1:${deadPort}`, SPOOL_DIR: res.path('spool-down') },
      res.path('api-down.log'),
    );
    running.push(down.process);
    runs.push(await measure(ctx, 'Redis down (disk spool)', down, predictions));
    await down.process.stop();
    ok = true;
  } finally {
    for (const p of running.reverse()) await p.stop();
    await res.cleanUp({ keepDir: !ok });
    if (!ok) ctx.log(`api-memory: process logs kept in ${res.dir}`);
  }

  const n = predictions.toLocaleString('en-US');
  for (const r of runs) {
    result.figure({
      figure: `${r.label}: RSS growth over ${n} predictions (end − after warm-up)`,
      unit: 'MB',
      vigil: round(r.growthMb, 1),
      target: '≤ 50 MB',
      pass: r.growthMb <= 50,
    });
    result.figure({
      figure: `${r.label}: RSS at start / after warm-up / peak / end`,
      unit: '',
      vigil: `${round(r.startMb, 0)} / ${round(r.afterWarmupMb, 0)} / ${round(r.peakMb, 0)} / ${round(r.endMb, 0)} MB`,
    });
    result.figure({
      figure: `${r.label}: RSS at 25 / 50 / 75 / 100 % of the load; V8 heap used after warm-up / peak / end`,
      unit: '',
      vigil: `${r.quartilesMb.map((x) => round(x, 0)).join(' / ')} MB; ${r.heapUsedMb.afterWarmup} / ${r.heapUsedMb.peak} / ${r.heapUsedMb.end} MB`,
    });
    result.note(
      `${r.label}: ${r.predictions} predictions in ${(r.predictions / INSTANCES_PER_REQUEST).toLocaleString('en-US')} requests ` +
        `at ${Math.round(r.requestsPerSecond)} req/s ` +
        `(${r.non2xx} non-2xx, ${r.errors} errors); the API's counters: ${Object.entries(r.metrics)
          .map(([name, value]) => `${name.replace('vigil_', '')} ${value}`)
          .join(', ')}.`,
    );
  }
  for (const r of runs.filter((x) => x.growthMb > 50)) {
    const heap = r.heapUsedMb;
    const fellBack = heap.samples.some((value, i) => i > 0 && value < (heap.samples[i - 1] ?? value) - 20);
    result.note(
      `${r.label}: target missed (${round(r.growthMb, 1)} MB). Measured: RSS went ${round(r.afterWarmupMb, 0)} MB after the warm-up → ` +
        `${r.quartilesMb.map((x) => round(x, 0)).join(' → ')} MB at each quarter of the load ` +
        `(${round((r.quartilesMb[3] ?? Number.NaN) - (r.quartilesMb[1] ?? Number.NaN), 1)} MB over the second half); ` +
        `the V8 heap in use went from ${heap.afterWarmup} MB after the warm-up to a peak of ${heap.peak} MB and ` +
        `${heap.end} MB at the end (sampled once a second: ${heap.samples.join(', ')} MB); ` +
        (fellBack
          ? 'it fell back by more than 20 MB at least once during the run (a major GC), ' +
            'so part of the growth is heap that V8 had not collected yet when the run ended.'
          : 'it never fell back by 20 MB during the run, i.e. no major GC reclaimed it within the run; ' +
            'only a longer run (full mode: 1,000,000 predictions) shows whether it levels off.'),
    );
  }
  result.details.runs = runs;
  return result.build();
}

export const apiMemory: Benchmark = { name: 'api-memory', run };
