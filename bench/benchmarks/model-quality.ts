import { readFileSync } from 'node:fs';
import type { Performance } from '@vigil/monitoring';
import { SqliteWriter } from '@vigil/stores';
import { ResultBuilder, type Benchmark, type BenchContext } from '../harness/context';
import { medianGetTimes } from '../harness/endpoint-timing';
import { httpGet, NodeProcess, sleep } from '../harness/processes';
import { QualityStoreProbe, ScoredPredictions, type Confusion } from '../harness/quality-store';
import { BenchResources, REDIS_URL } from '../harness/resources';
import { round } from '../harness/stats';
import { startApi, startWorker } from '../harness/vigil';

const METHOD = [
  'Synthetic scored predictions: probabilities drawn from the model’s held-out scores (`artifacts/quality-reference.json`), the stored',
  'prediction at the model’s threshold, labels drawn from the probabilities (seeded), written into SQLite with a raw batched INSERT and',
  'then given their latency and quality rollups by `SqliteWriter.open`, as a worker does at start-up.',
  '**Label import**: a store of N predictions over the last 29 days (1,000,000 full / 100,000 quick), a real worker on it and a fresh queue,',
  'a real API on the same file (`PREDICTION_LOGGING=off`); the real CLI (`node --import tsx apps/cli/src/main.ts feedback import labels.csv`,',
  '`QUEUE_NAME`/`REDIS_URL` set) is started on a CSV of N labels, one per prediction, and timed until',
  '`GET /monitoring/performance?window=30d` answers `labeled` = N (SQLite polled every 100 ms for the label versions written, the API',
  'once a second and every poll once SQLite holds them all). The CLI’s own time is from its start to its exit; the worker’s rate is label',
  'versions written between the first poll that saw one and the poll that saw all.',
  '**Performance queries**: a small store (10,000 predictions, 1,000 labels) and a large one (10,000,000 and 1,000,000 full;',
  '1,000,000 and 100,000 quick), predictions spread over the last 30 days, every tenth one labeled through the real',
  '`SqliteWriter.insertLabels` in batches of 1,000 (labels decided 1 hour to 7 days after the prediction), their hour and day cells then',
  'folded into the packed lists (`SqliteWriter.foldQualityRollups`, what the worker does a few keys a second; unfolded cells are read',
  'too, only slower). The real API',
  '(`PREDICTION_LOGGING=off`) serves each file in turn; after three warm-up passes, 11 timed passes request every endpoint in turn and the',
  'median of real HTTP requests is kept; the large/small ratio is the figure (target ≤ 2). Correctness, on the large store in the same run:',
  '`/monitoring/performance?window=30d`’s tp/fp/tn/fn against a SQL count over predictions ⋈ labels of the same minutes.',
].join(' ');

const DAY_MS = 86_400_000;
const WINDOW_30D_MS = 30 * DAY_MS;
const PERFORMANCE_ENDPOINTS = [
  ...['1h', '24h', '7d', '30d'].map((w) => `/monitoring/performance?window=${w}`),
  '/monitoring/performance/timeline?window=30d&bucket=1d',
];
/** The budget: 1,000,000 labels imported and visible in 60 s. */
const IMPORT_TARGET_SECONDS_PER_LABEL = 60 / 1_000_000;

async function performanceOf(port: number, window: string): Promise<Performance> {
  const answer = await httpGet(port, `/monitoring/performance?window=${window}`, 120_000);
  if (answer?.status !== 200) throw new Error(`/monitoring/performance?window=${window} answered ${answer?.status}: ${answer?.text.slice(0, 200)}`);
  return JSON.parse(answer.text) as Performance;
}

interface ImportWatch {
  /** From the CLI's start to the API answer that showed every label. */
  readonly visibleSeconds: number;
  /** Label versions a second, between the first poll that saw one written and the poll that saw them all. */
  readonly workerRowsPerSecond: number;
  readonly workerSecondsTimed: number;
}

/**
 * Polls SQLite (label versions written) every 100 ms and the API once a
 * second, and at every poll once SQLite holds all `expected`: the API's
 * answer cannot show them before they are committed, and asking it less
 * while the worker writes leaves the 2 cores to the import.
 */
async function watchImport(
  port: number,
  probe: QualityStoreProbe,
  expected: number,
  cli: NodeProcess,
  started: number,
  timeoutMs: number,
): Promise<ImportWatch> {
  let first: { at: number; value: number } | undefined;
  let allWritten: number | undefined;
  let lastLabeled = 0;
  for (let tick = 0; performance.now() - started < timeoutMs; tick++) {
    const versions = probe.labelVersions();
    const at = performance.now();
    if (first === undefined && versions > 0) first = { at, value: versions };
    if (allWritten === undefined && versions >= expected) allWritten = at;
    if (allWritten !== undefined || tick % 10 === 0) {
      lastLabeled = (await performanceOf(port, '30d')).labeled;
      if (lastLabeled >= expected) {
        const seconds = first === undefined || allWritten === undefined ? Number.NaN : (allWritten - first.at) / 1000;
        return {
          visibleSeconds: (performance.now() - started) / 1000,
          workerRowsPerSecond: first === undefined ? Number.NaN : (expected - first.value) / seconds,
          workerSecondsTimed: seconds,
        };
      }
    }
    if (!cli.running && (await cli.exited) !== 0) throw new Error(`feedback import exited with ${await cli.exited}:\n${cli.logTail()}`);
    await sleep(100);
  }
  throw new Error(`after ${timeoutMs / 1000} s the API shows ${lastLabeled} of ${expected} labels (${probe.labelVersions()} written); CLI:\n${cli.logTail()}`);
}

async function labelImport(ctx: BenchContext, result: ResultBuilder, resources: BenchResources): Promise<void> {
  const rows = ctx.quick ? 100_000 : 1_000_000;
  const now = Date.now();
  const store = new ScoredPredictions(rows, now - 29 * DAY_MS, now);
  const db = resources.path('import.db');
  const seeding = performance.now();
  store.fill(db);
  SqliteWriter.open(db).close();
  const csv = resources.path('labels.csv');
  const labels = store.writeLabelsCsv(csv, 1);
  ctx.log(`model-quality: import store of ${rows} predictions and its ${labels}-row CSV ready in ${round((performance.now() - seeding) / 1000)} s`);

  const queue = resources.queue('import');
  const worker = await startWorker('worker-import', { QUEUE_NAME: queue, SQLITE_PATH: db }, resources.path('worker-import.log'));
  const api = await startApi('api-import', { QUEUE_NAME: queue, SQLITE_PATH: db, PREDICTION_LOGGING: 'off' }, resources.path('api-import.log'));
  const probe = new QualityStoreProbe(db);
  try {
    const before = await performanceOf(api.port, '30d');
    if (before.predictions !== rows || before.labeled !== 0) throw new Error(`import store shows ${before.predictions} predictions, ${before.labeled} labeled`);
    const started = performance.now();
    const cli = NodeProcess.start(
      'cli-feedback-import',
      'apps/cli/src/main.ts',
      { QUEUE_NAME: queue, REDIS_URL },
      resources.path('cli-import.log'),
      [],
      ['feedback', 'import', csv],
    );
    let cliSeconds = Number.NaN;
    void cli.exited.then(() => (cliSeconds = (performance.now() - started) / 1000));
    const watch = await watchImport(api.port, probe, labels, cli, started, ctx.quick ? 180_000 : 600_000);
    const code = await cli.exited;
    const report = /imported (\d+) label\(s\) in (\d+) job\(s\)/.exec(readFileSync(cli.logPath, 'utf8'));
    if (code !== 0 || report === null || Number(report[1]) !== labels) throw new Error(`feedback import exited with ${code}:\n${cli.logTail()}`);
    const after = await performanceOf(api.port, '30d');

    const target = IMPORT_TARGET_SECONDS_PER_LABEL * labels;
    const count = labels.toLocaleString('en-US');
    result.figure({
      figure: `label import: ${count} labels, \`feedback import\` start → /monitoring/performance?window=30d shows labeled = ${count}`,
      unit: 's',
      vigil: round(watch.visibleSeconds, 1),
      target: ctx.quick ? `< ${round(target, 1)} s (scaled: 60 s per 1,000,000)` : '< 60 s',
      pass: watch.visibleSeconds < target,
    });
    result.figure({ figure: 'label import, end to end rate (CLI start → visible)', unit: 'labels/s', vigil: Math.round(labels / watch.visibleSeconds) });
    result.figure({
      figure: `\`feedback import\` CLI: process start → exit, all ${count} labels enqueued (${report[2]} jobs)`,
      unit: 's',
      vigil: round(cliSeconds, 1),
    });
    result.figure({
      figure: 'worker: label versions written to SQLite (quality cells moved in the same transactions)',
      unit: 'rows/s',
      vigil: Math.round(watch.workerRowsPerSecond),
    });
    result.details.import = {
      predictions: rows,
      labels,
      visibleSeconds: round(watch.visibleSeconds, 2),
      cliSeconds: round(cliSeconds, 2),
      cliLabelsPerSecond: Math.round(labels / cliSeconds),
      cliJobs: Number(report[2]),
      workerRowsPerSecond: Math.round(watch.workerRowsPerSecond),
      workerSecondsTimed: round(watch.workerSecondsTimed, 2),
      afterImport: { predictions: after.predictions, labeled: after.labeled, label_coverage: after.label_coverage, realized: after.realized },
    };
  } finally {
    probe.close();
    await api.process.stop(10_000);
    await worker.process.stop(15_000);
  }
}

/** tp/fp/tn/fn of /monitoring/performance?window=30d and of SQL over the same minutes (retried if the minute turns during the request). */
async function checkConfusion(port: number, probe: QualityStoreProbe): Promise<{ vigil: Confusion; sql: Confusion; sinceIso: string }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = Math.floor((Date.now() - WINDOW_30D_MS) / 60_000);
    const answer = await performanceOf(port, '30d');
    if (Math.floor((Date.now() - WINDOW_30D_MS) / 60_000) !== before) continue;
    const sinceIso = new Date(before * 60_000).toISOString();
    const { tp, fp, tn, fn } = answer.realized;
    return { vigil: { tp, fp, tn, fn }, sql: probe.confusionSince(sinceIso), sinceIso };
  }
  throw new Error('the window start moved during three requests in a row');
}

const confusionText = (c: Confusion) => `${c.tp}/${c.fp}/${c.tn}/${c.fn}`;

async function performanceQueries(ctx: BenchContext, result: ResultBuilder, resources: BenchResources): Promise<void> {
  const sizes = {
    small: { predictions: 10_000, labels: 1_000 },
    large: ctx.quick ? { predictions: 1_000_000, labels: 100_000 } : { predictions: 10_000_000, labels: 1_000_000 },
  };
  const times: Record<string, Record<string, number>> = {};
  const firstTimes: Record<string, Record<string, number>> = {};
  const cells: Record<string, unknown> = {};
  for (const label of ['small', 'large'] as const) {
    const { predictions, labels } = sizes[label];
    const now = Date.now();
    const store = new ScoredPredictions(predictions, now - WINDOW_30D_MS, now);
    const db = resources.path(`${label}.db`);
    const filling = performance.now();
    store.fill(db);
    const rolling = performance.now();
    const writer = SqliteWriter.open(db);
    const labeling = performance.now();
    let written: number;
    let folding: number;
    try {
      written = store.insertLabels(writer, predictions / labels, now);
      // What the worker's folding timer does a few keys at a time: the labels' hour and day cells into the packed lists.
      folding = performance.now();
      while (writer.foldQualityRollups(16) > 0);
    } finally {
      writer.close();
    }
    const done = performance.now();
    if (written !== labels) throw new Error(`${label}: ${written} labels written, ${labels} expected`);
    const seconds = {
      insert: round((rolling - filling) / 1000, 1),
      rollups: round((labeling - rolling) / 1000, 1),
      labels: round((folding - labeling) / 1000, 1),
      fold: round((done - folding) / 1000, 1),
    };
    ctx.log(
      `model-quality: ${label}: ${predictions} predictions in ${seconds.insert} s, rollups in ${seconds.rollups} s, ` +
        `${labels} labels through SqliteWriter.insertLabels in ${seconds.labels} s, their cells folded in ${seconds.fold} s`,
    );
    result.details[`${label}SeedSeconds`] = seconds;

    const probe = new QualityStoreProbe(db);
    const api = await startApi(
      `api-${label}`,
      { SQLITE_PATH: db, PREDICTION_LOGGING: 'off', QUEUE_NAME: resources.queue(label) },
      resources.path(`api-${label}.log`),
    );
    try {
      // The first request of each, before anything is kept (sums of unchanged lists, figures of unchanged buckets) or compiled.
      firstTimes[label] = {};
      for (const path of PERFORMANCE_ENDPOINTS) {
        const started = performance.now();
        const answer = await httpGet(api.port, path, 120_000);
        if (answer?.status !== 200) throw new Error(`${path} answered ${answer?.status}`);
        firstTimes[label][path] = performance.now() - started;
      }
      times[label] = await medianGetTimes(api.port, PERFORMANCE_ENDPOINTS, { warmUp: 3, passes: 11 });
      const sinceOf = (days: number) => Math.floor((Date.now() - days * DAY_MS) / 60_000);
      cells[label] = {
        perLevel: probe.cellsPerLevel(),
        inSpan: {
          '1h': probe.cellsInSpan(sinceOf(1 / 24)),
          '24h': probe.cellsInSpan(sinceOf(1)),
          '7d': probe.cellsInSpan(sinceOf(7)),
          '30d': probe.cellsInSpan(sinceOf(30)),
        },
      };
      if (label === 'large') {
        const checked = performance.now();
        const { vigil, sql, sinceIso } = await checkConfusion(api.port, probe);
        const equal = (['tp', 'fp', 'tn', 'fn'] as const).every((k) => vigil[k] === sql[k]);
        result.figure({
          figure: `${predictions.toLocaleString('en-US')} predictions: /monitoring/performance?window=30d tp/fp/tn/fn vs SQL over predictions ⋈ labels`,
          unit: 'rows',
          vigil: confusionText(vigil),
          baselineName: 'SQL count',
          baseline: confusionText(sql),
          target: 'equal',
          pass: equal,
        });
        result.details.confusionCheck = { sinceIso, vigil, sql, sqlSeconds: round((performance.now() - checked) / 1000, 2) };
      }
    } finally {
      probe.close();
      await api.process.stop(10_000);
    }
  }
  const { small, large } = sizes;
  const sizeText = (s: { predictions: number; labels: number }) =>
    `${s.predictions.toLocaleString('en-US')} predictions, ${s.labels.toLocaleString('en-US')} labels`;
  for (const path of PERFORMANCE_ENDPOINTS) {
    const smallMs = times.small![path]!;
    const largeMs = times.large![path]!;
    result.figure({
      figure: `GET ${path}: ${sizeText(large)} vs ${sizeText(small)}`,
      unit: 'ms',
      vigil: round(largeMs, 1),
      baselineName: '10k predictions',
      baseline: round(smallMs, 1),
      ratio: round(largeMs / smallMs, 2),
      target: '≤ 2',
      pass: largeMs / smallMs <= 2,
    });
  }
  for (const path of PERFORMANCE_ENDPOINTS) {
    const smallMs = firstTimes.small![path]!;
    const largeMs = firstTimes.large![path]!;
    result.figure({
      figure: `first request after the API started (nothing kept yet): GET ${path}, ${sizeText(large)} vs ${sizeText(small)}`,
      unit: 'ms',
      vigil: round(largeMs, 1),
      baselineName: '10k predictions',
      baseline: round(smallMs, 1),
      ratio: round(largeMs / smallMs, 2),
    });
  }
  const span = (label: 'small' | 'large') => (cells[label] as { inSpan: Record<string, number> }).inSpan;
  result.note(
    'Stored cells each window covers (the cells of its keys’ packed and pending lists; what a read ' +
      'that keeps nothing grows with), small → large: ' +
      ['1h', '24h', '7d', '30d'].map((w) => `${w} ${span('small')[w]!.toLocaleString('en-US')} → ${span('large')[w]!.toLocaleString('en-US')}`).join(', ') +
      '.',
  );
  result.note(
    'The timed requests (after three warm-up passes) add the sums the API keeps of unchanged packed lists and the figures of unchanged ' +
      'timeline buckets, as a dashboard polling the same windows does; a fold (the worker’s, a few keys a second while labels arrive) ' +
      'changes a key’s stamp, and its list is summed again on the next request. The first request after start, before anything is kept, ' +
      'is reported beside them without a target (it also pays for the first compilation of the code).',
  );
  result.details.times = times;
  result.details.firstTimes = firstTimes;
  result.details.cells = cells;
}

export const modelQuality: Benchmark = {
  name: 'model-quality',
  async run(ctx: BenchContext) {
    const result = new ResultBuilder(
      ctx,
      'model-quality',
      `model-quality: label import (CLI → visible in /monitoring/performance) and performance queries at 10k vs ${ctx.quick ? '1M' : '10M'} predictions`,
      METHOD,
    );
    const resources = new BenchResources('model-quality');
    try {
      await labelImport(ctx, result, resources);
      await performanceQueries(ctx, result, resources);
      return result.build();
    } finally {
      await resources.cleanUp();
    }
  },
};
