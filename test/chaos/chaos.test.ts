import { expect } from 'chai';
import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { freePort } from '../support/private-redis';
import { LoadGenerator, latencyIn } from './load-generator';
import { DurableRedis, PrivatePostgres, sleep, until } from './private-servers';
import { httpText, VigilProcess, type Exit } from './vigil-process';

/*
 * Chaos: real processes (3 API replicas, 2 workers, a Redis and a Postgres of
 * the test's own) take at least CHAOS_PREDICTIONS predictions over HTTP while
 * the test SIGKILLs a worker, restarts Redis, stops Postgres for 20 s and
 * SIGTERMs an API replica. Then every successful /predict must be in SQLite
 * and in Postgres exactly once, and nothing else may be there.
 *
 *   npm run test:chaos
 *
 * Knobs (environment): CHAOS_PREDICTIONS (20000), CHAOS_CONCURRENCY (16),
 * CHAOS_REDIS_SIGNAL (SIGTERM, or SIGKILL for a crash), CHAOS_REDIS_DOWN_MS
 * (3000), CHAOS_POSTGRES_DOWN_MS (20000).
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TARGET = Number(process.env.CHAOS_PREDICTIONS ?? 20_000);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 16);
const REDIS_SIGNAL = process.env.CHAOS_REDIS_SIGNAL === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM';
const REDIS_DOWN_MS = Number(process.env.CHAOS_REDIS_DOWN_MS ?? 3000);
const POSTGRES_DOWN_MS = Number(process.env.CHAOS_POSTGRES_DOWN_MS ?? 20_000);
const START_TIMEOUT_MS = 120_000;
const CATCH_UP_TIMEOUT_MS = 120_000;
const EXIT_TIMEOUT_MS = 20_000;

interface FaultWindow {
  readonly name: string;
  /** ms since the test's origin */
  from: number;
  to: number;
  note: string;
}

interface StoreFigures {
  readonly store: string;
  readonly rows: number;
  readonly distinct: number;
  readonly duplicated: number;
  readonly lost: number;
  readonly extra: number;
  readonly ids: ReadonlySet<string>;
}

function figures(store: string, ids: readonly string[], responses: ReadonlySet<string>): StoreFigures {
  const set = new Set(ids);
  let lost = 0;
  for (const id of responses) if (!set.has(id)) lost += 1;
  let extra = 0;
  for (const id of set) if (!responses.has(id)) extra += 1;
  return { store, rows: ids.length, distinct: set.size, duplicated: ids.length - set.size, lost, extra, ids: set };
}

function metricSum(text: string | undefined, name: string): number {
  if (text === undefined) return Number.NaN;
  return text
    .split('\n')
    .filter((line) => line.startsWith(name + ' ') || line.startsWith(name + '{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

function fmt(ms: number): string {
  return Number.isNaN(ms) ? '-' : ms.toFixed(1);
}

describe('chaos: 3 API replicas and 2 workers lose and duplicate no prediction through worker, Redis, Postgres and API faults', function () {
  this.timeout(6 * 60_000);

  const suiteStarted = performance.now();
  const origin = { t: performance.now() };
  const elapsed = () => (performance.now() - origin.t) / 1000;
  const say = (message: string) => console.log(`  [${elapsed().toFixed(1).padStart(6)}s] ${message}`);

  let dir: string;
  let redis: DurableRedis | undefined;
  let postgres: PrivatePostgres | undefined;
  let sqlitePath: string;
  let schema: string;
  const apis: VigilProcess[] = [];
  const workers: VigilProcess[] = [];
  /** Set at the very end of the test: anything short of that keeps the logs. */
  let passed = false;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'vigil-chaos-'));
    // The postgres user must be able to reach its data directory under here.
    chmodSync(dir, 0o755);
    const ports = new Set<number>();
    while (ports.size < 7) ports.add(await freePort());
    const [redisPort, postgresPort, ...processPorts] = [...ports] as [number, number, ...number[]];

    redis = new DurableRedis(redisPort, join(dir, 'redis'), join(dir, 'redis.log'));
    postgres = await PrivatePostgres.create(join(dir, 'postgres'), postgresPort);
    await Promise.all([redis.start(), postgres.start()]);

    const id = randomUUID().replaceAll('-', '').slice(0, 12);
    sqlitePath = join(dir, 'monitoring.db');
    schema = `chaos_${id}`;
    const common: Record<string, string> = {
      HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      QUEUE_NAME: `chaos-${id}`,
      SQLITE_PATH: sqlitePath,
      AUDIT_DATABASE_URL: postgres.url(),
      AUDIT_SCHEMA: schema,
      SPOOL_DIR: join(dir, 'spool'),
      LOG_LEVEL: 'warn',
      AUDIT_RETRY_MAX_DELAY_MS: '2000',
    };
    for (let i = 0; i < 3; i++) {
      const port = processPorts[i] as number;
      apis.push(new VigilProcess(`api-${i + 1}`, 'api', { ...common, PORT: String(port) }, port, join(dir, `api-${i + 1}.log`), ROOT));
    }
    for (let i = 0; i < 2; i++) {
      // A metrics port per worker: how the test knows a worker is up (the API's PORT is not used by a worker).
      const port = processPorts[3 + i] as number;
      workers.push(
        new VigilProcess(
          `worker-${i + 1}`,
          'worker',
          { ...common, PORT: '0', WORKER_METRICS_PORT: String(port) },
          port,
          join(dir, `worker-${i + 1}.log`),
          ROOT,
        ),
      );
    }
    for (const p of [...workers, ...apis]) {
      p.onCrash = (exit) => say(`${p.name} CRASHED (code ${exit.code}, signal ${exit.signal}); see ${p.logPath}`);
      p.start();
    }
    await Promise.all([...workers, ...apis].map((p) => until(`${p.name} ready`, () => p.ready(), START_TIMEOUT_MS, 200)));
    console.log(
      `  stack up in ${((performance.now() - suiteStarted) / 1000).toFixed(1)} s: redis :${redisPort}, postgres :${postgresPort}, ` +
        `apis :${apis.map((a) => a.port).join(' :')}, workers (metrics) :${workers.map((w) => w.port).join(' :')}, dir ${dir}`,
    );
  });

  after(async function () {
    await Promise.all([...apis, ...workers].map((p) => p.kill()));
    await redis?.stop('SIGKILL');
    await postgres?.stopIfRunning();
    if (dir === undefined) return;
    if (!passed) {
      // Keep what explains a failure: every process's log.
      const logs = mkdtempSync(join(tmpdir(), 'vigil-chaos-logs-'));
      for (const name of readdirSync(dir)) if (name.endsWith('.log')) copyFileSync(join(dir, name), join(logs, name));
      try {
        copyFileSync(join(dir, 'postgres', 'postgres.log'), join(logs, 'postgres.log'));
      } catch {
        // no postgres log
      }
      console.log(`  logs kept in ${logs}`);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(`takes ≥ ${TARGET} predictions through the faults; SQLite and Postgres then hold exactly the successful prediction_ids`, async function () {
    const reference = JSON.parse(readFileSync(join(ROOT, 'artifacts/reference.json'), 'utf8')) as { rows: Record<string, unknown>[] };
    const bodies = reference.rows.map((row) => JSON.stringify({ features: row }));
    origin.t = performance.now();
    const load = new LoadGenerator({ ports: apis.map((a) => a.port), concurrency: CONCURRENCY, bodies }, origin.t);
    const now = () => performance.now() - origin.t;
    const windows: FaultWindow[] = [];
    const apiExitOnSigterm: Exit[] = [];
    let apiDrainFailure: string | undefined;

    const atProgress = async (fraction: number) => {
      await until(`${fraction * 100}% of the predictions`, () => load.succeeded >= fraction * TARGET, 10 * 60_000, 20);
    };
    const fault = async (name: string, fraction: number, act: (window: FaultWindow) => Promise<void>) => {
      await atProgress(fraction);
      const window: FaultWindow = { name, from: now(), to: Number.NaN, note: '' };
      windows.push(window);
      say(`fault: ${name} (at ${load.succeeded} predictions)`);
      await act(window);
      window.to = now();
      say(`recovered from: ${name} after ${((window.to - window.from) / 1000).toFixed(1)} s ${window.note}`);
    };
    // An API stays ready (degraded) while Redis is away, so "back" is when every /readyz names Redis ok again.
    const apisSeeRedis = () =>
      until(
        'every API to see Redis',
        async () => (await Promise.all(apis.map((a) => httpText(a.port, '/readyz')))).every((text) => text?.includes('"redis":"ok"') === true),
        60_000,
        50,
      );
    const spoolBytes = async () => {
      const texts = await Promise.all(apis.map((a) => httpText(a.port, '/metrics')));
      return texts.reduce((sum, text) => sum + metricSum(text, 'vigil_spool_bytes'), 0);
    };

    let faultsDone = false;
    const faults = (async () => {
      await fault('SIGKILL worker-1, restart after 2 s', 0.1, async (window) => {
        const worker = workers[0] as VigilProcess;
        const exit = await worker.signal('SIGKILL', 10_000);
        window.note = `(exit signal ${exit.signal})`;
        await sleep(2000);
        worker.start();
        await until('worker-1 ready again', () => worker.ready(), START_TIMEOUT_MS, 100);
      });
      await fault(`restart Redis (${REDIS_SIGNAL}, down ${REDIS_DOWN_MS / 1000} s)`, 0.3, async (window) => {
        await redis!.stop(REDIS_SIGNAL);
        await sleep(REDIS_DOWN_MS);
        await redis!.start();
        await apisSeeRedis();
        const ready = now();
        // Recovered once every API has replayed what it spooled while Redis was away.
        await until('every API spool replayed', async () => (await spoolBytes()) === 0, 60_000, 100);
        window.note = `(APIs saw Redis ${((ready - window.from) / 1000).toFixed(1)} s after the stop; spools empty)`;
      });
      await fault(`stop Postgres for ${POSTGRES_DOWN_MS / 1000} s`, 0.5, async () => {
        await postgres!.stop('fast');
        await sleep(POSTGRES_DOWN_MS);
        await postgres!.start();
      });
      await fault('SIGTERM api-2, restart once it exited', 0.75, async (window) => {
        const api = apis[1] as VigilProcess;
        let exit: Exit;
        try {
          exit = await api.signal('SIGTERM', EXIT_TIMEOUT_MS);
        } catch (error) {
          // Still up: it keeps answering on the client's busy keep-alive connections.
          // Record the failure, then do what a load balancer would (stop sending to it,
          // close the idle connections) so the replica can finish its shutdown and the
          // rest of the run still measures loss and duplicates.
          apiDrainFailure = (error as Error).message;
          say(`${apiDrainFailure}: taking it out of the client's rotation`);
          await load.takeOutOfRotation(1);
          exit = await api.waitForExit(EXIT_TIMEOUT_MS, 'being taken out of rotation');
        }
        apiExitOnSigterm.push(exit);
        window.note = `(exited with code ${exit.code} after ${((now() - window.from) / 1000).toFixed(1)} s)`;
        api.start();
        await until('api-2 ready again', () => api.ready(), START_TIMEOUT_MS, 50);
        load.putBackInRotation(1);
      });
      faultsDone = true;
    })();

    const progress = setInterval(
      () => say(`${load.succeeded} predictions, ${load.failures.refused} refused + ${load.failures.ambiguous} reset attempts retried`),
      10_000,
    );
    say(`traffic: ${CONCURRENCY} in flight, round-robin over ${apis.length} APIs, until ≥ ${TARGET} predictions and every fault is over`);
    let faultError: unknown;
    const traffic = load.run(() => faultError !== undefined || (load.succeeded >= TARGET && faultsDone));
    await faults.catch((error: unknown) => {
      faultError = error;
    });
    await traffic;
    clearInterval(progress);
    load.close();
    const trafficEnded = now();
    if (faultError !== undefined) throw faultError;
    const baseline = latencyIn(load, 0, (windows[0]?.from ?? trafficEnded) - 1);
    say(`traffic stopped: ${load.succeeded} predictions in ${(trafficEnded / 1000).toFixed(1)} s`);

    const responses = new Set(load.ids);
    const apiMetrics = await Promise.all(apis.map((a) => httpText(a.port, '/metrics')));

    // The stores catch up: the queue drains into SQLite, the shipper drains SQLite into Postgres.
    const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
    const sqliteIds = () => db.prepare('SELECT prediction_id FROM predictions').pluck().all() as string[];
    const postgresIds = async () =>
      (await postgres!.query<{ id: string }>(`SELECT prediction_id::text AS id FROM "${schema}".predictions`)).map((row) => row.id);
    const holdsAll = (ids: readonly string[]) => {
      const set = new Set(ids);
      for (const id of responses) if (!set.has(id)) return false;
      return true;
    };
    let sqliteCaughtUp = Number.NaN;
    let postgresCaughtUp = Number.NaN;
    try {
      await until(
        'SQLite and Postgres to hold every successful prediction',
        async () => {
          if (!workers.some((w) => w.running)) throw new Error('no worker is running');
          if (Number.isNaN(sqliteCaughtUp) && holdsAll(sqliteIds())) sqliteCaughtUp = now() - trafficEnded;
          if (Number.isNaN(postgresCaughtUp) && holdsAll(await postgresIds())) postgresCaughtUp = now() - trafficEnded;
          return !Number.isNaN(sqliteCaughtUp) && !Number.isNaN(postgresCaughtUp);
        },
        CATCH_UP_TIMEOUT_MS,
        500,
      );
    } catch (error) {
      say(`${(error as Error).message}: comparing what is there`);
    }
    say(`caught up: SQLite ${fmt(sqliteCaughtUp / 1000)} s, Postgres ${fmt(postgresCaughtUp / 1000)} s after the traffic stopped`);

    // SIGTERM everything: APIs first (they flush to Redis), then workers. Each must exit 0 in time.
    const exits = new Map<string, Exit | string>();
    const terminate = async (p: VigilProcess) => {
      if (!p.running) {
        exits.set(p.name, `not running (crashed: ${JSON.stringify(p.crashes.at(-1))})`);
        return;
      }
      try {
        exits.set(p.name, await p.signal('SIGTERM', EXIT_TIMEOUT_MS));
      } catch (error) {
        exits.set(p.name, (error as Error).message);
      }
    };
    await Promise.all(apis.map(terminate));
    await Promise.all(workers.map(terminate));
    say('every process stopped');

    // Final comparison on quiet stores.
    const sqlite = figures('SQLite', sqliteIds(), responses);
    db.close();
    const audit = figures('Postgres', await postgresIds(), responses);
    const sqliteOnly = [...sqlite.ids].filter((id) => !audit.ids.has(id)).length;
    const postgresOnly = [...audit.ids].filter((id) => !sqlite.ids.has(id)).length;

    const line = (cells: (string | number)[], widths: number[]) => cells.map((c, i) => String(c).padStart(widths[i] as number)).join('  ');
    const duration = (performance.now() - suiteStarted) / 1000;
    const out: string[] = [];
    out.push('');
    const httpErrors = [...load.httpErrors].map(([s, n]) => `${s}×${n}`).join(', ') || 0;
    out.push(`  predictions (successful /predict): ${load.succeeded}  (distinct ids ${responses.size}; HTTP errors ${httpErrors}; given up ${load.givenUp})`);
    out.push(`  retried attempts: ${load.failures.refused} refused (never reached an API), ${load.failures.ambiguous} reset/hung up (may have reached one)`);
    out.push('');
    out.push('  ' + line(['store', 'rows', 'distinct', 'lost', 'duplicated', 'extra'], [9, 8, 9, 6, 11, 6]));
    for (const s of [sqlite, audit]) out.push('  ' + line([s.store, s.rows, s.distinct, s.lost, s.duplicated, s.extra], [9, 8, 9, 6, 11, 6]));
    out.push(`  in SQLite only: ${sqliteOnly}, in Postgres only: ${postgresOnly}`);
    out.push('');
    out.push('  ' + line(['/predict latency (ms, client side, retries included)', 'n', 'max', 'p99', 'window s'], [52, 7, 9, 9, 9]));
    out.push(
      '  ' +
        line(['baseline, before the first fault', baseline.count, fmt(baseline.max), fmt(baseline.p99), fmt((windows[0]?.from ?? 0) / 1000)], [52, 7, 9, 9, 9]),
    );
    for (const w of windows) {
      const l = latencyIn(load, w.from, w.to);
      out.push('  ' + line([w.name, l.count, fmt(l.max), fmt(l.p99), fmt((w.to - w.from) / 1000)], [52, 7, 9, 9, 9]));
    }
    const overall = latencyIn(load, 0, trafficEnded);
    out.push('  ' + line(['whole run', overall.count, fmt(overall.max), fmt(overall.p99), fmt(trafficEnded / 1000)], [52, 7, 9, 9, 9]));
    out.push('');
    out.push(
      `  API spool (since each API's last start): spooled ${apiMetrics.map((t) => metricSum(t, 'vigil_log_records_spooled_total')).join('/')}, ` +
        `replayed ${apiMetrics.map((t) => metricSum(t, 'vigil_log_records_replayed_total')).join('/')}, ` +
        `dropped ${apiMetrics.map((t) => metricSum(t, 'vigil_log_records_dropped_total')).join('/')}`,
    );
    const logLines = (p: VigilProcess, text: string) =>
      readFileSync(p.logPath, 'utf8')
        .split('\n')
        .filter((l) => l.includes(text)).length;
    out.push(
      `  worker log: failed audit attempts ${workers.map((w) => `${w.name} ${logLines(w, '"audit write failed')}`).join(', ')}; ` +
        `failed log batches ${workers.map((w) => `${w.name} ${logLines(w, '"log batch failed"')}`).join(', ')}`,
    );
    for (const p of [...apis, ...workers])
      for (const c of p.crashes) out.push(`  CRASH: ${p.name} exited by itself at ${c.at.toISOString()} (code ${c.code}, signal ${c.signal})`);
    if (apiDrainFailure !== undefined) out.push(`  API SIGTERM: ${apiDrainFailure}; it exited only once the client stopped sending to it`);
    out.push(`  exits on final SIGTERM: ${[...exits].map(([name, e]) => `${name}=${typeof e === 'string' ? e : `code ${e.code}`}`).join(', ')}`);
    out.push(`  total duration: ${duration.toFixed(1)} s (traffic ${(trafficEnded / 1000).toFixed(1)} s)`);
    if (load.errorSamples.length > 0) out.push(`  first retried errors: ${load.errorSamples.slice(0, 5).join(' | ')}`);
    console.log(out.join('\n'));

    const crashes = [...apis, ...workers].flatMap((p) => p.crashes.map((c) => `${p.name} at ${c.at.toISOString()}: code ${c.code}, signal ${c.signal}`));
    expect(crashes, 'processes that exited without being told to').to.deep.equal([]);
    expect(load.succeeded, 'successful predictions').to.be.at.least(TARGET);
    expect(responses.size, 'distinct prediction_ids answered').to.equal(load.succeeded);
    expect(Object.fromEntries(load.httpErrors), 'non-200 answers to /predict').to.deep.equal({});
    expect(load.givenUp, 'predictions given up').to.equal(0);
    for (const s of [sqlite, audit]) {
      expect(s.lost, `${s.store}: successful predictions missing`).to.equal(0);
      expect(s.duplicated, `${s.store}: duplicated prediction_ids`).to.equal(0);
      // A row nobody got an answer for can only come from an attempt that reached an API and lost its answer.
      expect(s.extra, `${s.store}: rows without a successful response`).to.be.at.most(load.failures.ambiguous);
    }
    expect(sqliteOnly + postgresOnly, 'rows in one store but not the other').to.equal(0);
    expect(apiDrainFailure, 'an API replica must finish its shutdown while clients keep their keep-alive connections busy').to.equal(undefined);
    expect(
      apiExitOnSigterm.map((e) => e.code),
      'api-2 exit code on SIGTERM',
    ).to.deep.equal([0]);
    for (const [name, exit] of exits) expect(exit, `${name} exit on SIGTERM`).to.deep.equal({ code: 0, signal: null });
    passed = true;
  });
});
