import { Redis } from 'ioredis';
import { ResultBuilder, type Benchmark, type BenchContext } from '../harness/context';
import { referenceRows, runAutocannon } from '../harness/load';
import { freePort, NodeProcess, sleep } from '../harness/processes';
import { BenchResources, REDIS_URL } from '../harness/resources';
import { ratio } from '../harness/results';
import { SqliteProbe } from '../harness/sqlite';
import { percentile, round } from '../harness/stats';
import { metricSum, scrape, startApi, startWorker } from '../harness/vigil';

const CONNECTIONS = 50;

type ConfigName = 'off' | 'vigil' | 'seed' | 'naive' | 'floor';

interface Server {
  readonly name: ConfigName;
  readonly label: string;
  readonly port: number;
  /** The processes whose CPU is charged to this configuration while it is under load. */
  readonly processes: Readonly<Record<string, NodeProcess>>;
}

/** One configuration's measurements, summed over its segments. */
interface Tally {
  warmup2xx: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  seconds: number;
  latencies: number[];
  cpuSeconds: Record<string, number>;
  segments: { requestsPerSecond: number; p99Ms: number }[];
}

const METHOD = [
  'autocannon (programmatic, 50 connections, in the benchmark process) POSTs one instance of `artifacts/reference.json` to `/predict`.',
  'Five servers run side by side, with the Vigil worker process running throughout:',
  '(a) the real API (`node --import tsx apps/api/src/main.ts`) with `PREDICTION_LOGGING=off`; (b) Vigil: the real API with logging on,',
  "the worker writing SQLite; (c) the seed's design (`bench/baselines/seed-sqlite-app.ts`): one SQLite INSERT per prediction in the API",
  'process, off the response path with `setImmediate` (same table and pragmas as Vigil); (d) naive BullMQ (`bench/baselines/naive-bullmq-app.ts`):',
  'one awaited `queue.add` per prediction before answering, consumed by a one-job-per-record worker. The baselines are Express with',
  "`express.json` and the same model and validation, but none of Vigil's other middleware (security headers, request metrics), which favours them;",
  '(e) the floor of this stack (`bench/baselines/floor-app.ts`): Express parsing the body, the features encoded as the spec says, the same',
  'model on onnxruntime-node, the answer: no validation, no middleware, no logging.',
  'Each server is warmed up, then loaded in short segments that alternate between the configurations (a b c d e, then e d c b a, …), so that',
  'load from other users of the machine falls on all of them alike: 5 rounds of 2 s (quick) or 20 rounds of 3 s (full), i.e. 10 s or 60 s',
  'per configuration in all.',
  'Throughput counts 2xx answers; p50/p99 are over every 2xx latency of all its segments.',
  'At the end the benchmark waits for the queue to drain and compares the rows in SQLite with the predictions answered.',
].join(' ');

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
  return user + sys;
}

async function run(ctx: BenchContext) {
  const result = new ResultBuilder(ctx, 'request-path', 'request-path: /predict throughput and p99, logging off vs Vigil vs baselines', METHOD);
  const res = new BenchResources('request-path');
  const vigilQueue = res.queue('vigil');
  const naiveQueue = res.queue('naive');
  const vigilDb = res.path('vigil.db');
  const all: NodeProcess[] = [];
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const body = JSON.stringify({ features: referenceRows()[0] });
  const warmSeconds = ctx.quick ? 2 : 5;
  // Short segments, many rounds: other users' load on this shared machine then falls on every configuration alike.
  // 20 in a full run: one configuration's 3 s segments vary by ±20% here, and 10 left the ratio within ±4% of itself.
  const rounds = ctx.quick ? 5 : 20;
  const segmentSeconds = ctx.quick ? 2 : 3;
  const tallies = new Map<ConfigName, Tally>();
  const servers: Server[] = [];
  let ok = false;
  try {
    const worker = await startWorker('worker', { QUEUE_NAME: vigilQueue, SQLITE_PATH: vigilDb }, res.path('worker.log'));
    all.push(worker.process);
    const off = await startApi('api-off', { QUEUE_NAME: vigilQueue, SQLITE_PATH: vigilDb, PREDICTION_LOGGING: 'off' }, res.path('api-off.log'));
    all.push(off.process);
    const vigil = await startApi('api-vigil', { QUEUE_NAME: vigilQueue, SQLITE_PATH: vigilDb, PREDICTION_LOGGING: 'on' }, res.path('api-vigil.log'));
    all.push(vigil.process);
    const seedPort = await freePort();
    const seed = NodeProcess.start(
      'seed-sqlite-app',
      'bench/baselines/seed-sqlite-app.ts',
      { PORT: String(seedPort), SQLITE_PATH: res.path('seed.db') },
      res.path('seed.log'),
    );
    all.push(seed);
    const naiveWorker = NodeProcess.start(
      'naive-bullmq-worker',
      'bench/baselines/naive-bullmq-worker.ts',
      { QUEUE_NAME: naiveQueue, SQLITE_PATH: res.path('naive.db') },
      res.path('naive-worker.log'),
    );
    all.push(naiveWorker);
    const naivePort = await freePort();
    const naive = NodeProcess.start(
      'naive-bullmq-app',
      'bench/baselines/naive-bullmq-app.ts',
      { PORT: String(naivePort), QUEUE_NAME: naiveQueue },
      res.path('naive-app.log'),
    );
    all.push(naive);
    const floorPort = await freePort();
    const floor = NodeProcess.start('floor-app', 'bench/baselines/floor-app.ts', { PORT: String(floorPort) }, res.path('floor.log'));
    all.push(floor);
    await floor.waitForHttp(floorPort, '/healthz');
    await seed.waitForHttp(seedPort, '/healthz');
    await naive.waitForHttp(naivePort, '/healthz');

    servers.push(
      { name: 'off', label: '(a) logging off', port: off.port, processes: { api: off.process, worker: worker.process } },
      { name: 'vigil', label: '(b) Vigil', port: vigil.port, processes: { api: vigil.process, worker: worker.process } },
      { name: 'seed', label: '(c) seed: SQLite per prediction in the API', port: seedPort, processes: { api: seed } },
      { name: 'naive', label: '(d) naive BullMQ: awaited queue.add per prediction', port: naivePort, processes: { api: naive, worker: naiveWorker } },
      { name: 'floor', label: '(e) floor: bare Express + onnxruntime, no validation, middleware or logging', port: floorPort, processes: { api: floor } },
    );
    for (const server of servers) {
      ctx.log(`request-path: ${server.label}: warm-up ${warmSeconds} s`);
      const warm = await runAutocannon({ url: `http://127.0.0.1:${server.port}/predict`, body, connections: CONNECTIONS, duration: warmSeconds });
      tallies.set(server.name, { warmup2xx: warm.ok2xx, ok2xx: 0, non2xx: 0, errors: 0, seconds: 0, latencies: [], cpuSeconds: {}, segments: [] });
    }

    const backlogs: { backlog: number; servedSoFar: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        const tally = tallies.get(server.name) as Tally;
        const before = Object.fromEntries(Object.entries(server.processes).map(([key, p]) => [key, p.cpuSeconds() ?? 0]));
        const redisBefore = await redisCpuSeconds(redis);
        const started = performance.now();
        const load = await runAutocannon({
          url: `http://127.0.0.1:${server.port}/predict`,
          body,
          connections: CONNECTIONS,
          duration: segmentSeconds,
          keepLatencies: true,
        });
        const wall = (performance.now() - started) / 1000;
        for (const [key, p] of Object.entries(server.processes))
          tally.cpuSeconds[key] = (tally.cpuSeconds[key] ?? 0) + (p.cpuSeconds() ?? 0) - (before[key] ?? 0);
        tally.cpuSeconds.redis = (tally.cpuSeconds.redis ?? 0) + (await redisCpuSeconds(redis)) - redisBefore;
        tally.ok2xx += load.ok2xx;
        tally.non2xx += load.non2xx;
        tally.errors += load.errors;
        tally.seconds += wall;
        for (const latency of load.latenciesMs ?? []) tally.latencies.push(latency);
        tally.segments.push({ requestsPerSecond: round(load.ok2xx / wall, 0), p99Ms: round(percentile(load.latenciesMs ?? [], 99), 1) });
        ctx.log(
          `request-path: round ${r + 1}/${rounds} ${server.label}: ${Math.round(load.ok2xx / wall)} req/s, ` +
            `p99 ${percentile(load.latenciesMs ?? [], 99).toFixed(1)} ms`,
        );
        if (server.name === 'vigil') {
          // How far the worker is behind the moment the load stops.
          const probe = new SqliteProbe(vigilDb);
          const rows = probe.count();
          probe.close();
          await sleep(100);
          const served = metricSum(await scrape(vigil.port), 'vigil_predictions_total');
          backlogs.push({ backlog: Math.max(0, served - rows), servedSoFar: served });
        }
      }
    }

    // Did the worker keep up? Every prediction the Vigil API served must be a row in SQLite.
    const metrics = await scrape(vigil.port);
    const served = metricSum(metrics, 'vigil_predictions_total');
    const enqueued = metricSum(metrics, 'vigil_log_records_enqueued_total');
    const spooled = metricSum(metrics, 'vigil_log_records_spooled_total');
    const dropped = metricSum(metrics, 'vigil_log_records_dropped_total');
    const probe = new SqliteProbe(vigilDb);
    const drainStarted = performance.now();
    let rows = probe.count();
    while (rows < served && performance.now() - drainStarted < 60_000) {
      await sleep(50);
      rows = probe.count();
    }
    const drainMs = Math.round(performance.now() - drainStarted);
    probe.close();
    const vigilTally = tallies.get('vigil') as Tally;
    const answered = vigilTally.warmup2xx + vigilTally.ok2xx;
    const autocannonRuns = rounds + 1;
    const keptUp = rows === served && rows >= answered && rows - answered <= CONNECTIONS * autocannonRuns;
    result.details.keptUp = {
      answered2xx: answered,
      servedPerApiMetrics: served,
      enqueued,
      spooled,
      dropped,
      rowsAfterDrain: rows,
      drainMs,
      backlogWhenEachVigilSegmentEnded: backlogs,
    };
    result.figure({
      figure: 'Vigil: rows in SQLite after the run / 2xx answers autocannon counted (warm-up + segments)',
      unit: '',
      vigil: `${rows} / ${answered}`,
      target: `equal, + ≤ ${CONNECTIONS * autocannonRuns} in flight when autocannon stopped`,
      pass: keptUp,
    });
    result.figure({
      figure: 'Vigil: worker backlog the moment each Vigil segment ended (rows)',
      unit: '',
      vigil: backlogs.map((b) => b.backlog).join(', '),
    });
    result.note(
      `Worker kept up: the Vigil API counted ${served} predictions served and ${enqueued} records enqueued (${spooled} spooled, ${dropped} dropped); ` +
        `SQLite held ${rows} rows (reached ${drainMs} ms after the last segment); autocannon counted ${answered} 2xx. ` +
        'A request in flight when autocannon stops a run is answered and logged by the API but not counted by autocannon, hence the allowance.',
    );
    const seedProbe = new SqliteProbe(res.path('seed.db'));
    const seedTally = tallies.get('seed') as Tally;
    result.details.seedRows = { rows: seedProbe.count(), answered2xx: seedTally.warmup2xx + seedTally.ok2xx };
    seedProbe.close();
    ok = true;
  } finally {
    for (const p of all.reverse()) await p.stop();
    redis.disconnect();
    await res.cleanUp({ keepDir: !ok });
    if (!ok) ctx.log(`request-path: process logs kept in ${res.dir}`);
  }

  const summary = (name: ConfigName) => {
    const t = tallies.get(name) as Tally;
    return {
      requestsPerSecond: t.ok2xx / t.seconds,
      p50Ms: round(percentile(t.latencies, 50), 1),
      p99Ms: round(percentile(t.latencies, 99), 1),
      maxMs: round(percentile(t.latencies, 100), 1),
      cores: Object.fromEntries(Object.entries(t.cpuSeconds).map(([key, s]) => [key, round(s / t.seconds, 2)])),
      cpuMicrosecondsPerRequest: Object.fromEntries(Object.entries(t.cpuSeconds).map(([key, s]) => [key, round((s * 1e6) / Math.max(1, t.ok2xx), 0)])),
      ok2xx: t.ok2xx,
      non2xx: t.non2xx,
      errors: t.errors,
      seconds: round(t.seconds, 1),
      segments: t.segments,
    };
  };
  const s = { off: summary('off'), vigil: summary('vigil'), seed: summary('seed'), naive: summary('naive'), floor: summary('floor') };
  for (const server of servers) {
    const x = s[server.name];
    result.figure({
      figure: `${server.label}: throughput; p50 / p99`,
      unit: '',
      vigil: `${Math.round(x.requestsPerSecond)} req/s; ${x.p50Ms} / ${x.p99Ms} ms`,
    });
  }
  const throughputRatio = ratio(s.vigil.requestsPerSecond, s.off.requestsPerSecond) ?? Number.NaN;
  const p99Ratio = ratio(s.vigil.p99Ms, s.off.p99Ms) ?? Number.NaN;
  result.figure({
    figure: 'throughput, Vigil vs logging off',
    unit: 'req/s',
    vigil: round(s.vigil.requestsPerSecond, 0),
    baselineName: 'off',
    baseline: round(s.off.requestsPerSecond, 0),
    ratio: throughputRatio,
    target: '≥ 0.95',
    pass: throughputRatio >= 0.95,
  });
  result.figure({
    figure: 'p99 latency, Vigil vs logging off',
    unit: 'ms',
    vigil: s.vigil.p99Ms,
    baselineName: 'off',
    baseline: s.off.p99Ms,
    ratio: p99Ratio,
    target: '≤ 1.10',
    pass: p99Ratio <= 1.1,
  });
  // Issue 18's reference: the same model and body on the bare stack.
  const floorThroughput = ratio(s.vigil.requestsPerSecond, s.floor.requestsPerSecond) ?? Number.NaN;
  const floorP99 = ratio(s.vigil.p99Ms, s.floor.p99Ms) ?? Number.NaN;
  result.figure({
    figure: 'throughput, Vigil vs the floor (bare Express + onnxruntime)',
    unit: 'req/s',
    vigil: round(s.vigil.requestsPerSecond, 0),
    baselineName: 'floor',
    baseline: round(s.floor.requestsPerSecond, 0),
    ratio: floorThroughput,
    target: '≥ 0.90',
    pass: floorThroughput >= 0.9,
  });
  result.figure({
    figure: 'p99 latency, Vigil vs the floor',
    unit: 'ms',
    vigil: s.vigil.p99Ms,
    baselineName: 'floor',
    baseline: s.floor.p99Ms,
    ratio: floorP99,
    target: '≤ 1.25',
    pass: floorP99 <= 1.25,
  });
  result.figure({
    figure: 'throughput, Vigil vs seed (SQLite per prediction in the API)',
    unit: 'req/s',
    vigil: round(s.vigil.requestsPerSecond, 0),
    baselineName: 'seed',
    baseline: round(s.seed.requestsPerSecond, 0),
    ratio: ratio(s.vigil.requestsPerSecond, s.seed.requestsPerSecond),
  });
  result.figure({
    figure: 'p99 latency, Vigil vs seed',
    unit: 'ms',
    vigil: s.vigil.p99Ms,
    baselineName: 'seed',
    baseline: s.seed.p99Ms,
    ratio: ratio(s.vigil.p99Ms, s.seed.p99Ms),
  });
  result.figure({
    figure: 'throughput, Vigil vs naive BullMQ (awaited add per prediction)',
    unit: 'req/s',
    vigil: round(s.vigil.requestsPerSecond, 0),
    baselineName: 'naive',
    baseline: round(s.naive.requestsPerSecond, 0),
    ratio: ratio(s.vigil.requestsPerSecond, s.naive.requestsPerSecond),
  });
  result.figure({
    figure: 'p99 latency, Vigil vs naive BullMQ',
    unit: 'ms',
    vigil: s.vigil.p99Ms,
    baselineName: 'naive',
    baseline: s.naive.p99Ms,
    ratio: ratio(s.vigil.p99Ms, s.naive.p99Ms),
  });

  const cpu = (name: ConfigName) =>
    Object.entries(s[name].cpuMicrosecondsPerRequest)
      .map(([key, us]) => `${key} ${us} µs`)
      .join(', ');
  result.note(
    'CPU per request, by process (from /proc, and Redis INFO over the measured segments): ' +
      `${servers.map((server) => `${server.name}: ${cpu(server.name)}`).join('; ')}. ` +
      "The Redis figure is the whole Redis server's CPU, which other users' tests share (the seed baseline does not use Redis at all), " +
      'so read it as an upper bound. ' +
      'The load generator runs on the same 2 cores and takes roughly one of them.',
  );
  const paired = s.vigil.segments.map((v, i) => v.requestsPerSecond / (s.off.segments[i]?.requestsPerSecond ?? Number.NaN)).sort((a, b) => a - b);
  result.figure({
    figure: 'throughput, Vigil / logging off, per round (min / median / max)',
    unit: '',
    vigil: `${round(paired[0] ?? Number.NaN, 2)} / ${round(percentile(paired, 50), 2)} / ${round(paired[paired.length - 1] ?? Number.NaN, 2)}`,
  });
  result.note(
    'Throughput per segment (req/s), in the order run: ' +
      `${servers.map((server) => `${server.name} ${s[server.name].segments.map((x) => x.requestsPerSecond).join(' / ')}`).join('; ')}.`,
  );
  const failures = servers.filter((server) => s[server.name].non2xx > 0 || s[server.name].errors > 0);
  if (failures.length > 0)
    result.note(
      'Non-2xx answers or errors: ' +
        `${failures.map((server) => `${server.label}: ${s[server.name].non2xx} non-2xx, ${s[server.name].errors} errors`).join('; ')}.`,
    );
  const extra = (key: string) => (s.vigil.cpuMicrosecondsPerRequest[key] ?? 0) - (s.off.cpuMicrosecondsPerRequest[key] ?? 0);
  const missed = [
    !(throughputRatio >= 0.95) ? `throughput ratio ${throughputRatio.toFixed(3)}` : '',
    !(p99Ratio <= 1.1) ? `p99 ratio ${p99Ratio.toFixed(3)}` : '',
  ].filter(Boolean);
  result.note(
    (missed.length > 0 ? `Target missed (${missed.join(', ')}). ` : '') +
      `Measured cost of logging per prediction, Vigil minus logging off: API ${extra('api')} µs, worker ${extra('worker')} µs, ` +
      `Redis (shared server) ${extra('redis')} µs of CPU, ` +
      `against ${s.off.cpuMicrosecondsPerRequest.api} µs of API CPU per request with logging off. ` +
      'The API saturates one core either way; the worker and Redis run on the second core, which the load generator also needs, so on this 2-core machine ' +
      'their CPU comes straight out of the requests served.',
  );
  result.note(PROFILE_NOTE);
  result.details.configurations = s;
  return result.build();
}

/**
 * Issue 18's profile, taken by hand (not by this benchmark): where the API's CPU went
 * before and after the request envelope and the hand-written answer serializer.
 */
const PROFILE_NOTE =
  'Profile (issue 18), `bash bench/profile/request-path.sh <name> on 10 "--cpu-prof --cpu-prof-dir=DIR"` then ' +
  '`node bench/profile/cpuprofile-summary.mjs DIR/<main thread>.cpuprofile 80` (wrk, 50 connections, 10 s, worker running; ' +
  'shares of the API main thread’s samples, which include start-up and idle). Before (336b3ab): pino-http 13.1% inclusive ' +
  '(a child logger and two listeners per request), res.json 20.0% inclusive with its ETag hash, the Express router 4.9% self, ' +
  'the journal append 5.2% (its write(2) 3.6%), onnxruntime 8.1%, garbage collection 7.6%. After (2aed6b1): the request envelope ' +
  '1.5% self and the answer serializer 2.0% (pino-http, res.json and the ETag gone), the router 5.5% self, the journal append ' +
  '7.6% (write(2) 4.9%), onnxruntime 8.6%, garbage collection 7.3%, the socket writev 7.1%. The write-ahead write(2) per ' +
  'request that issue 13 asks for is now the largest cost Vigil adds; batching it across requests is not possible without ' +
  'delaying answers, since each request is answered in its own callback.';

export const requestPath: Benchmark = { name: 'request-path', run };
