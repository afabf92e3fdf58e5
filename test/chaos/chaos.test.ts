import { expect } from 'chai';
import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { instanceDir, instanceIds } from '../support/journal-dirs';
import { freePort } from '../support/private-redis';
import { WebhookReceiver } from '../support/webhook-receiver';
import { acknowledgedIn, LoadGenerator, latencyIn } from './load-generator';
import { DurableRedis, PrivatePostgres, sleep, until } from './private-servers';
import { httpText, VigilProcess, type Exit } from './vigil-process';

/*
 * Chaos: real processes (3 API replicas; 2 worker "hosts", each with a SQLite
 * file of its own; a Redis and a Postgres of the test's own; every process
 * with MONITORING_STORE=postgres) take at least CHAOS_PREDICTIONS predictions
 * over HTTP while the test SIGKILLs a worker, SIGKILLs an API replica and
 * restarts it at once, restarts Redis, stops Postgres for 20 s, SIGKILLs
 * another API replica and restarts it under another hostname, and SIGTERMs a
 * third. Every API shares one SPOOL_DIR volume, so a killed replica's journal
 * is adopted and replayed by a live one once its lease runs out. Then every
 * successful /predict must be in the union of the SQLite files and in
 * Postgres exactly once, nothing else may be there, /monitoring/completeness
 * must account for every record, and the one alert rule that fires during the
 * run must have been notified exactly once across both workers.
 *
 *   npm run test:chaos
 *
 * Knobs (environment): CHAOS_PREDICTIONS (20000), CHAOS_CONCURRENCY (16),
 * CHAOS_REDIS_SIGNAL (SIGTERM, or SIGKILL for a crash), CHAOS_REDIS_DOWN_MS
 * (3000), CHAOS_POSTGRES_DOWN_MS (20000), CHAOS_KEEP_LOGS (1 keeps the processes'
 * logs after a pass too; a failure always keeps them).
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
/** The least JOURNAL_LEASE_MS allows (packages/config/src/variables.ts): a killed replica's journal is adopted 3-4 s after the kill. */
const JOURNAL_LEASE_MS = 3000;
/** How long a record may take from its answer to Postgres before /monitoring/completeness calls it missing, at the end. */
const COMPLETENESS_GRACE = '5s';
const COMPLETENESS_GRACE_MS = 5000;
const COMPLETENESS_TIMEOUT_MS = 30_000;
/** The hostname api-3 comes back under (its own UTS namespace), as a container recreated under another name would. */
const OTHER_HOSTNAME = 'chaos-other-host';
/** The one alert rule: p95 above 0 ms over 5 minutes, for 0s. It fires with the first predictions Postgres holds and stays firing. */
const ALERT_RULE = 'chaos_latency_p95_above_zero';
/** Before and around a fault's start: records answered in the second before an API is killed may still be in its batcher. */
const WINDOW_LEAD_MS = 1000;

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

/** A SIGKILLed API replica: its journal, who adopted it, and what came back in its place. */
interface ApiKill {
  readonly fault: string;
  readonly process: string;
  readonly killedInstance: string;
  readonly killedAt: number;
  readonly newInstance: string;
  readonly newHost: string;
  /** Processes whose log says they adopted the killed instance's journal, with the segments it held. */
  adopters: { readonly name: string; readonly instance: string; readonly segments: number; readonly at: number }[];
  /** Records the APIs replayed from kill to recovery (vigil_log_records_replayed_total): the killed instance's journal. */
  replayed: number;
}

interface CompletenessAnswer {
  readonly totals: { instances: number; served: number; stored: number; in_flight: number; spooled: number; dead_lettered: number; missing: number };
  readonly instances: { instance_id: string; served: number; stored: number; in_flight: number; spooled: number; dead_lettered: number; missing: number }[];
}

interface AlertsAnswer {
  readonly rules: { name: string; state: string }[];
  readonly history: { rule: string; from_state: string; to_state: string }[];
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

/** Every JSON line of a process's log, with the start (1, 2, …) that wrote it; lines that are not JSON (a stack trace) are skipped. */
function logRecords(p: VigilProcess): { readonly start: number; readonly record: Record<string, unknown> }[] {
  const records: { start: number; record: Record<string, unknown> }[] = [];
  const text = readFileSync(p.logPath);
  let offset = 0;
  while (offset < text.length) {
    let end = text.indexOf(0x0a, offset);
    if (end < 0) end = text.length;
    const line = text.subarray(offset, end).toString('utf8');
    const start = p.logOffsets.filter((at) => at <= offset).length;
    offset = end + 1;
    if (!line.startsWith('{')) continue;
    try {
      records.push({ start, record: JSON.parse(line) as Record<string, unknown> });
    } catch {
      // a line cut by a SIGKILL
    }
  }
  return records;
}

/** The instance directory under SPOOL_DIR/instances whose owner.json names this pid (its owner, alive). */
function ownedInstance(spoolDir: string, pid: number | undefined): { readonly id: string; readonly host: string } | undefined {
  for (const id of instanceIds(spoolDir)) {
    try {
      const owner = JSON.parse(readFileSync(join(instanceDir(spoolDir, id), 'owner.json'), 'utf8')) as { pid?: unknown; host?: unknown };
      if (owner.pid === pid) return { id, host: String(owner.host) };
    } catch {
      // adopted or removed meanwhile
    }
  }
  return undefined;
}

/**
 * Where an instance's journal directory is now: under SPOOL_DIR/instances while its lease runs, then under
 * its adopter's adopted/ (nested, if an adopter died too) until every segment is replayed and it is pruned.
 */
function journalPaths(spoolDir: string, instanceId: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (name === instanceId) found.push(path);
      if (depth < 8) walk(join(path, 'adopted'), depth + 1);
    }
  };
  walk(join(spoolDir, 'instances'), 0);
  return found;
}

describe('chaos: 3 API replicas and 2 worker hosts lose and duplicate no prediction through worker, API, Redis and Postgres faults', function () {
  this.timeout(6 * 60_000);

  const suiteStarted = performance.now();
  const origin = { t: performance.now() };
  const elapsed = () => (performance.now() - origin.t) / 1000;
  const say = (message: string) => console.log(`  [${elapsed().toFixed(1).padStart(6)}s] ${message}`);

  let dir: string;
  let redis: DurableRedis | undefined;
  let postgres: PrivatePostgres | undefined;
  let webhook: WebhookReceiver | undefined;
  let spoolDir: string;
  /** The SQLite file of each worker host, by worker index. */
  const sqlitePaths: string[] = [];
  /** What the APIs would open if they read SQLite: with MONITORING_STORE=postgres they must not. */
  let apiSqlitePath: string;
  let schema: string;
  const apis: VigilProcess[] = [];
  const workers: VigilProcess[] = [];
  /** Journal instance id → which start of which API it was ("api-1 #2 @chaos-other-host"). */
  const instanceNames = new Map<string, string>();
  /** "api-1 #2" → the journal instance id of that start. */
  const instanceByStart = new Map<string, string>();
  /** The current journal instance id of each API. */
  const currentInstance: string[] = [];
  /** Set at the very end of the test: anything short of that keeps the logs. */
  let passed = false;

  /** Reads the journal instance the API's current process owns (owner.json by pid) and names it. */
  const noteInstance = (index: number): { readonly id: string; readonly host: string } => {
    const api = apis[index] as VigilProcess;
    const owned = ownedInstance(spoolDir, api.pid);
    if (owned === undefined) throw new Error(`${api.name} (pid ${api.pid}) owns no journal directory under ${spoolDir}/instances`);
    currentInstance[index] = owned.id;
    instanceByStart.set(`${api.name} #${api.starts}`, owned.id);
    instanceNames.set(owned.id, `${api.name} #${api.starts}${owned.host === hostname() ? '' : ` @${owned.host}`}`);
    return owned;
  };

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'vigil-chaos-'));
    // The postgres user must be able to reach its data directory under here.
    chmodSync(dir, 0o755);
    const ports = new Set<number>();
    while (ports.size < 7) ports.add(await freePort());
    const [redisPort, postgresPort, ...processPorts] = [...ports] as [number, number, ...number[]];

    redis = new DurableRedis(redisPort, join(dir, 'redis'), join(dir, 'redis.log'));
    postgres = await PrivatePostgres.create(join(dir, 'postgres'), postgresPort);
    webhook = await WebhookReceiver.start();
    await Promise.all([redis.start(), postgres.start()]);

    // One rule that is sure to fire once the first rows reach Postgres and to stay firing for the whole run (< 5 minutes).
    const rulesPath = join(dir, 'alerts.json');
    const rule = { name: ALERT_RULE, kind: 'latency_p95', threshold: 0, window: '5m', for: '0s', severity: 'info', min_count: 1 };
    writeFileSync(rulesPath, JSON.stringify({ evaluation_interval: '1s', rules: [{ ...rule, description: 'chaos: fires once, stays firing' }] }));

    const id = randomUUID().replaceAll('-', '').slice(0, 12);
    schema = `chaos_${id}`;
    spoolDir = join(dir, 'spool');
    apiSqlitePath = join(dir, 'api-never-opened.db');
    const common: Record<string, string> = {
      HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      QUEUE_NAME: `chaos-${id}`,
      AUDIT_DATABASE_URL: postgres.url(),
      AUDIT_SCHEMA: schema,
      // Hosts with a SQLite file each: monitoring, completeness and alert state come from Postgres.
      MONITORING_STORE: 'postgres',
      SPOOL_DIR: spoolDir,
      JOURNAL_LEASE_MS: String(JOURNAL_LEASE_MS),
      ALERT_RULES_PATH: rulesPath,
      // info: the 'api listening', journal adoption and alert state change lines the test reads (a few per process).
      LOG_LEVEL: 'info',
      AUDIT_RETRY_MAX_DELAY_MS: '2000',
    };
    for (let i = 0; i < 3; i++) {
      const port = processPorts[i] as number;
      apis.push(
        new VigilProcess(`api-${i + 1}`, 'api', { ...common, SQLITE_PATH: apiSqlitePath, PORT: String(port) }, port, join(dir, `api-${i + 1}.log`), ROOT),
      );
    }
    for (let i = 0; i < 2; i++) {
      // A metrics port per worker: how the test knows a worker is up (the API's PORT is not used by a worker).
      const port = processPorts[3 + i] as number;
      const sqlitePath = join(dir, `${'ab'[i]}.db`);
      sqlitePaths.push(sqlitePath);
      const env = { ...common, SQLITE_PATH: sqlitePath, PORT: '0', WORKER_METRICS_PORT: String(port), ALERTING: 'on', ALERT_WEBHOOK_URLS: webhook.url };
      workers.push(new VigilProcess(`worker-${i + 1}`, 'worker', env, port, join(dir, `worker-${i + 1}.log`), ROOT));
    }
    for (const p of [...workers, ...apis]) {
      p.onCrash = (exit) => say(`${p.name} CRASHED (code ${exit.code}, signal ${exit.signal}); see ${p.logPath}`);
      p.start();
    }
    await Promise.all([...workers, ...apis].map((p) => until(`${p.name} ready`, () => p.ready(), START_TIMEOUT_MS, 200)));
    apis.forEach((_, i) => noteInstance(i));
    console.log(
      `  stack up in ${((performance.now() - suiteStarted) / 1000).toFixed(1)} s: redis :${redisPort}, postgres :${postgresPort}, ` +
        `apis :${apis.map((a) => a.port).join(' :')}, workers (metrics) :${workers.map((w) => w.port).join(' :')}, dir ${dir}`,
    );
  });

  after(async function () {
    await Promise.all([...apis, ...workers].map((p) => p.kill()));
    await redis?.stop('SIGKILL');
    await postgres?.stopIfRunning();
    await webhook?.close();
    if (dir === undefined) return;
    if (!passed || process.env.CHAOS_KEEP_LOGS === '1') {
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

  it(`takes ≥ ${TARGET} predictions through the faults; SQLite (a ∪ b), Postgres and completeness then hold exactly the successful ones`, async function () {
    const reference = JSON.parse(readFileSync(join(ROOT, 'artifacts/reference.json'), 'utf8')) as { rows: Record<string, unknown>[] };
    const bodies = reference.rows.map((row) => JSON.stringify({ features: row }));
    origin.t = performance.now();
    const load = new LoadGenerator({ ports: apis.map((a) => a.port), concurrency: CONCURRENCY, bodies }, origin.t);
    const now = () => performance.now() - origin.t;
    const windows: FaultWindow[] = [];
    const apiExitOnSigterm: Exit[] = [];
    const apiKills: ApiKill[] = [];
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
    /**
     * SIGKILL an API replica and start it again at once on the same SPOOL_DIR (under `otherHostname`, if given).
     * Recovered once the killed instance's journal has been adopted and replayed: its directory is gone from
     * SPOOL_DIR/instances and from every adopter's adopted/, and every API's vigil_spool_bytes is 0.
     */
    const killApi = async (index: number, window: FaultWindow, otherHostname?: string) => {
      const api = apis[index] as VigilProcess;
      const killedInstance = currentInstance[index] as string;
      const replayedBy = async (which: readonly VigilProcess[]) =>
        (await Promise.all(which.map((a) => httpText(a.port, '/metrics')))).reduce((sum, text) => sum + metricSum(text, 'vigil_log_records_replayed_total'), 0);
      const replayedBefore = await replayedBy(apis.filter((a) => a !== api));
      const killedAt = Date.now();
      const exit = await api.signal('SIGKILL', 10_000);
      api.start(otherHostname === undefined ? {} : { hostname: otherHostname });
      await until(`${api.name} ready again`, () => api.ready(), START_TIMEOUT_MS, 50);
      const started = noteInstance(index);
      const kill: ApiKill = {
        fault: window.name,
        process: api.name,
        killedInstance,
        killedAt,
        newInstance: started.id,
        newHost: started.host,
        adopters: [],
        replayed: Number.NaN,
      };
      apiKills.push(kill);
      await until(
        `the journal of ${killedInstance} (${api.name}) to be adopted and replayed`,
        async () => journalPaths(spoolDir, killedInstance).length === 0 && (await spoolBytes()) === 0,
        60_000,
        100,
      );
      // The survivors' counters went on, the restarted process's began at 0: the difference is what was replayed meanwhile.
      kill.replayed = (await replayedBy(apis)) - replayedBefore;
      for (const p of apis) {
        for (const { start, record } of logRecords(p)) {
          if (record.message !== "adopted a dead API instance's journal; replaying it" || record.instance !== killedInstance) continue;
          const adopter = instanceByStart.get(`${p.name} #${start}`) ?? '?';
          kill.adopters.push({
            name: instanceNames.get(adopter) ?? `${p.name} #${start}`,
            instance: adopter,
            segments: Number(record.segments),
            at: Date.parse(String(record.time)) - killedAt,
          });
        }
      }
      const adopted = kill.adopters.map((a) => `${a.name} (${a.segments} segments, ${(a.at / 1000).toFixed(1)} s after the kill)`).join(', ') || 'nobody';
      window.note = `(exit signal ${exit.signal}; back as ${started.id} on ${started.host}; journal adopted by ${adopted}, ${kill.replayed} records replayed)`;
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
      await fault('SIGKILL api-1, restart at once', 0.2, (window) => killApi(0, window));
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
      await fault('SIGKILL api-3, restart under another hostname', 0.65, (window) => killApi(2, window, OTHER_HOSTNAME));
      await fault('SIGTERM api-2, restart once it exited', 0.8, async (window) => {
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
        noteInstance(1);
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

    // The stores catch up: the queue drains into the two SQLite files, the shippers drain them into Postgres.
    const dbs = sqlitePaths.map((path) => new Database(path, { readonly: true, fileMustExist: true }));
    const sqliteIds = (db: Database.Database) => db.prepare('SELECT prediction_id FROM predictions').pluck().all() as string[];
    const unionIds = () => new Set(dbs.flatMap(sqliteIds));
    const postgresIds = async () =>
      (await postgres!.query<{ id: string }>(`SELECT prediction_id::text AS id FROM "${schema}".predictions`)).map((row) => row.id);
    const holdsAll = (ids: ReadonlySet<string>) => {
      for (const id of responses) if (!ids.has(id)) return false;
      return true;
    };
    let sqliteCaughtUp = Number.NaN;
    let postgresCaughtUp = Number.NaN;
    try {
      await until(
        'SQLite (a ∪ b) and Postgres to hold every successful prediction, and Postgres every SQLite row',
        async () => {
          if (!workers.some((w) => w.running)) throw new Error('no worker is running');
          const union = unionIds();
          if (Number.isNaN(sqliteCaughtUp) && holdsAll(union)) sqliteCaughtUp = now() - trafficEnded;
          const audit = new Set(await postgresIds());
          if (Number.isNaN(postgresCaughtUp) && holdsAll(audit)) postgresCaughtUp = now() - trafficEnded;
          return !Number.isNaN(sqliteCaughtUp) && !Number.isNaN(postgresCaughtUp) && audit.size >= union.size;
        },
        CATCH_UP_TIMEOUT_MS,
        500,
      );
    } catch (error) {
      say(`${(error as Error).message}: comparing what is there`);
    }
    say(`caught up: SQLite ${fmt(sqliteCaughtUp / 1000)} s, Postgres ${fmt(postgresCaughtUp / 1000)} s after the traffic stopped`);

    // Completeness over Postgres, from one API: once the grace has passed since the last answer, nothing may be missing.
    const monitor = apis[0] as VigilProcess;
    await sleep(Math.max(0, trafficEnded + COMPLETENESS_GRACE_MS + 1000 - now()));
    const postgresRows = async () => Number((await postgres!.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".predictions`))[0]?.n);
    let completeness: CompletenessAnswer | undefined;
    let firstCompleteness: CompletenessAnswer | undefined;
    let completenessLooks = 0;
    let completenessRows = Number.NaN;
    const completenessStarted = now();
    try {
      await until(
        `/monitoring/completeness?grace=${COMPLETENESS_GRACE} to show 0 missing and every Postgres row stored`,
        async () => {
          const text = await httpText(monitor.port, `/monitoring/completeness?grace=${COMPLETENESS_GRACE}`);
          if (text === undefined) return false;
          completeness = JSON.parse(text) as CompletenessAnswer;
          firstCompleteness ??= completeness;
          completenessLooks += 1;
          completenessRows = await postgresRows();
          return completeness.totals.missing === 0 && completeness.totals.stored === completenessRows;
        },
        COMPLETENESS_TIMEOUT_MS,
        500,
      );
    } catch (error) {
      say(`${(error as Error).message}: reporting the last answer`);
    }
    say(
      `completeness: ${completenessLooks} look(s) over ${((now() - completenessStarted) / 1000).toFixed(1)} s; totals ${JSON.stringify(completeness?.totals)}`,
    );
    const distributionText = await httpText(monitor.port, '/monitoring/distribution?window=1h');
    const distributionTotal = distributionText === undefined ? Number.NaN : (JSON.parse(distributionText) as { total: number }).total;

    // The alert: fired once early in the run; every API reads the shared state from Postgres.
    await until('the firing notification', () => (webhook as WebhookReceiver).received.length > 0, 30_000, 200).catch(() => undefined);
    const alertAnswers = await Promise.all(
      apis.map(async (a) => {
        const text = await httpText(a.port, '/monitoring/alerts?limit=1000');
        return text === undefined ? undefined : (JSON.parse(text) as AlertsAnswer);
      }),
    );
    const alertStates = alertAnswers.map((answer) => answer?.rules.find((r) => r.name === ALERT_RULE)?.state ?? 'unreadable');
    const firingChanges = alertAnswers.map((answer) => answer?.history.filter((h) => h.rule === ALERT_RULE && h.to_state === 'firing').length ?? Number.NaN);

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
    const files = dbs.map((db, i) => figures(`SQLite ${'ab'[i]}.db`, sqliteIds(db), responses));
    for (const db of dbs) db.close();
    const [fileA, fileB] = files as [StoreFigures, StoreFigures];
    const union = figures('SQLite a ∪ b', [...new Set([...fileA.ids, ...fileB.ids])], responses);
    const auditRows = await postgresIds();
    const audit = figures('Postgres', auditRows, responses);
    const inBoth = new Set([...fileA.ids].filter((id) => fileB.ids.has(id)));
    const sqliteOnly = [...union.ids].filter((id) => !audit.ids.has(id)).length;
    const postgresOnly = [...audit.ids].filter((id) => !union.ids.has(id)).length;
    const auditCounts = new Map<string, number>();
    for (const id of auditRows) auditCounts.set(id, (auditCounts.get(id) ?? 0) + 1);
    const notifications = (webhook as WebhookReceiver).received.map((r) => r.body as { id?: string; rule?: string; state?: string });
    const ruleNotifications = notifications.filter((n) => n.rule === ALERT_RULE);

    const line = (cells: (string | number)[], widths: number[]) => cells.map((c, i) => String(c).padStart(widths[i] as number)).join('  ');
    const duration = (performance.now() - suiteStarted) / 1000;
    const out: string[] = [];
    out.push('');
    const httpErrors = [...load.httpErrors].map(([s, n]) => `${s}×${n}`).join(', ') || 0;
    out.push(`  predictions (successful /predict): ${load.succeeded}  (distinct ids ${responses.size}; HTTP errors ${httpErrors}; given up ${load.givenUp})`);
    out.push(`  retried attempts: ${load.failures.refused} refused (never reached an API), ${load.failures.ambiguous} reset/hung up (may have reached one)`);
    out.push('');
    const storeWidths = [13, 8, 9, 6, 11, 6];
    out.push('  ' + line(['store', 'rows', 'distinct', 'lost', 'duplicated', 'extra'], storeWidths));
    for (const s of [fileA, fileB]) out.push('  ' + line([s.store, s.rows, s.distinct, '-', s.duplicated, '-'], storeWidths));
    for (const s of [union, audit]) out.push('  ' + line([s.store, s.rows, s.distinct, s.lost, s.duplicated, s.extra], storeWidths));
    out.push(`  in both SQLite files: ${inBoth.size}; in SQLite (a ∪ b) only: ${sqliteOnly}, in Postgres only: ${postgresOnly}`);
    out.push('');
    const faultWidths = [46, 13, 14, 14, 14, 14];
    out.push(
      '  ' +
        line(
          ['acknowledged from 1 s before each fault to its recovery', 'acknowledged', 'lost SQLite ∪', 'lost Postgres', 'dup. Postgres', 'in both files'],
          faultWidths,
        ),
    );
    const faultRow = (name: string, ids: readonly string[]) => {
      const lostSqlite = ids.filter((id) => !union.ids.has(id)).length;
      const lostAudit = ids.filter((id) => !audit.ids.has(id)).length;
      const duplicated = ids.filter((id) => (auditCounts.get(id) ?? 0) > 1).length;
      const both = ids.filter((id) => inBoth.has(id)).length;
      return '  ' + line([name, ids.length, lostSqlite, lostAudit, duplicated, both], faultWidths);
    };
    for (const w of windows) out.push(faultRow(w.name, acknowledgedIn(load, w.from - WINDOW_LEAD_MS, w.to)));
    out.push(faultRow('whole run', load.ids));
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
    for (const k of apiKills) {
      const adopters = k.adopters.map((a) => `${a.name} ${a.instance} (${a.segments} segments, ${(a.at / 1000).toFixed(1)} s after the kill)`).join(', ');
      out.push(
        `  ${k.fault}: ${k.killedInstance} adopted by ${adopters || 'nobody'}, ${k.replayed} records replayed; back as ${k.newInstance} on ${k.newHost}`,
      );
    }
    out.push('');
    const completenessWidths = [56, 8, 8, 14, 8];
    out.push(
      `  /monitoring/completeness?grace=${COMPLETENESS_GRACE} (Postgres), ${completenessLooks} look(s); ` +
        `first look: ${JSON.stringify(firstCompleteness?.totals)}`,
    );
    out.push('  ' + line(['instance', 'served', 'stored', 'dead_lettered', 'missing'], completenessWidths));
    for (const i of completeness?.instances ?? []) {
      const name = `${instanceNames.get(i.instance_id) ?? '?'} ${i.instance_id}`;
      out.push('  ' + line([name, i.served, i.stored, i.dead_lettered, i.missing], completenessWidths));
    }
    const totals = completeness?.totals;
    out.push(
      '  ' +
        line(
          [
            `totals (${totals?.instances ?? '-'} instances)`,
            totals?.served ?? '-',
            totals?.stored ?? '-',
            totals?.dead_lettered ?? '-',
            totals?.missing ?? '-',
          ],
          completenessWidths,
        ),
    );
    out.push(`  Postgres rows then: ${completenessRows}; /monitoring/distribution?window=1h total: ${distributionTotal}`);
    out.push('');
    out.push(
      `  alert ${ALERT_RULE}: ${ruleNotifications.length} notification(s) ${JSON.stringify(ruleNotifications.map((n) => `${n.state} ${n.id}`))}, ` +
        `${notifications.length} in all (${(webhook as WebhookReceiver).requests} webhook requests); ` +
        `state on ${apis.map((a, i) => `${a.name} ${alertStates[i]}`).join(', ')}; ` +
        `firing changes in history ${firingChanges.join('/')}`,
    );
    out.push(
      `  API spool (since each API's last start): spooled ${apiMetrics.map((t) => metricSum(t, 'vigil_log_records_spooled_total')).join('/')}, ` +
        `replayed ${apiMetrics.map((t) => metricSum(t, 'vigil_log_records_replayed_total')).join('/')}, ` +
        `dropped ${apiMetrics.map((t) => metricSum(t, 'vigil_log_records_dropped_total')).join('/')}, ` +
        `foreign segments ${apiMetrics.map((t) => metricSum(t, 'vigil_spool_foreign_segments')).join('/')}`,
    );
    const logLines = (p: VigilProcess, text: string) =>
      readFileSync(p.logPath, 'utf8')
        .split('\n')
        .filter((l) => l.includes(text)).length;
    const perWorker = (text: string) => workers.map((w) => `${w.name} ${logLines(w, text)}`).join(', ');
    out.push(
      `  worker log: failed audit attempts ${perWorker('"audit write failed')}; failed log batches ${perWorker('"log batch failed"')}; ` +
        `alert rounds skipped ${perWorker('"alert rule not evaluated"')}; alert state changes ${perWorker('"alert state change"')}`,
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
    // Each host's file holds a prediction at most once; a batch redelivered to the other worker may be in both files.
    for (const s of files) expect(s.duplicated, `${s.store}: duplicated prediction_ids`).to.equal(0);
    for (const s of [union, audit]) {
      expect(s.lost, `${s.store}: successful predictions missing`).to.equal(0);
      expect(s.duplicated, `${s.store}: duplicated prediction_ids`).to.equal(0);
      // A row nobody got an answer for can only come from an attempt that reached an API and lost its answer.
      expect(s.extra, `${s.store}: rows without a successful response`).to.be.at.most(load.failures.ambiguous);
    }
    expect(sqliteOnly + postgresOnly, 'rows in SQLite (a ∪ b) but not in Postgres, or the other way round').to.equal(0);
    expect(existsSync(apiSqlitePath), 'a SQLite file opened by an API (MONITORING_STORE=postgres)').to.equal(false);

    // Every killed replica's journal was adopted by exactly one live replica, and its replacement is a new instance.
    for (const k of apiKills) {
      expect(k.adopters.length, `${k.fault}: adoptions of ${k.killedInstance}`).to.equal(1);
      expect(k.newInstance, `${k.fault}: the restarted process's instance id`).to.not.equal(k.killedInstance);
    }
    expect(
      apiKills.map((k) => k.newHost),
      'hostnames the killed replicas came back under',
    ).to.deep.equal([hostname(), OTHER_HOSTNAME]);

    expect(completeness?.totals.missing, 'completeness: records missing').to.equal(0);
    expect(completeness?.totals.stored, 'completeness: records stored = Postgres rows').to.equal(completenessRows);
    expect(completenessRows, 'Postgres rows when completeness was read = at the end').to.equal(audit.rows);
    expect(distributionTotal, '/monitoring/distribution total = Postgres rows').to.equal(audit.rows);

    expect(
      ruleNotifications.map((n) => n.state),
      `notifications for ${ALERT_RULE} across both workers`,
    ).to.deep.equal(['firing']);
    expect((webhook as WebhookReceiver).requests, 'webhook requests (every rule, every worker)').to.equal(1);
    expect(alertStates, `${ALERT_RULE} on each API's /monitoring/alerts`).to.deep.equal(apis.map(() => 'firing'));
    expect(firingChanges, `changes to firing of ${ALERT_RULE} in each API's history`).to.deep.equal(apis.map(() => 1));

    expect(
      apiMetrics.map((t) => metricSum(t, 'vigil_log_records_dropped_total')),
      'records dropped by each API',
    ).to.deep.equal(apis.map(() => 0));
    expect(apiDrainFailure, 'an API replica must finish its shutdown while clients keep their keep-alive connections busy').to.equal(undefined);
    expect(
      apiExitOnSigterm.map((e) => e.code),
      'api-2 exit code on SIGTERM',
    ).to.deep.equal([0]);
    for (const [name, exit] of exits) expect(exit, `${name} exit on SIGTERM`).to.deep.equal({ code: 0, signal: null });
    passed = true;
  });
});
