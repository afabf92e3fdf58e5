import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { Config } from '@vigil/config';
import {
  bullConnection,
  createRedisConnection,
  DeadLetterQueue,
  LOG_BATCH_JOB,
  queueNames,
  ReadyQueue,
  sameSlotPrefix,
  type RedisConnection,
} from '@vigil/queue';
import { startApi, type RunningApi } from '../../../apps/api/src/start-api';
import { startWorker, type RunningWorker } from '../../../apps/worker/src/start-worker';
import { predictionRecord } from '../../support/fixtures/prediction-records';
import { request } from '../../support/http';
import { referenceInstances, testConfig, waitFor } from '../../support/test-env';

/** The API and the worker on one Redis topology, without Postgres: the store of record is SQLite here. */
export interface TopologyStack {
  readonly config: Config;
  readonly api: RunningApi;
  readonly worker: RunningWorker;
  /** A client of the test's own on the same topology (BullMQ's settings), for checks. */
  readonly connection: RedisConnection;
  close(): Promise<void>;
}

export async function startTopologyStack(redisUrl: string): Promise<TopologyStack> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-topology-'));
  // The default rules, evaluated every second, so the alert scheduler visibly ticks within the test.
  const rules = JSON.parse(readFileSync('deploy/alerts.json', 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'alerts.json'), JSON.stringify({ ...rules, evaluation_interval: '1s' }));
  const config = testConfig({
    REDIS_URL: redisUrl,
    AUDIT_DATABASE_URL: '',
    SPOOL_DIR: join(dir, 'spool'),
    ALERT_RULES_PATH: join(dir, 'alerts.json'),
    // Far above what the test sends: the limiter counts in Redis, it never refuses here.
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const worker = await startWorker(config);
  const api = await startApi(config);
  const connection = createRedisConnection(redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  return {
    config,
    api,
    worker,
    connection,
    async close() {
      await api.close();
      await worker.close();
      connection.disconnect();
    },
  };
}

export interface LoadResult {
  /** prediction_ids of every 200 answer: what the API acknowledged. */
  readonly acknowledged: string[];
  /** Statuses other than 200, with how many (the API must keep answering: none expected). */
  readonly failures: Map<string, number>;
}

/** /predict in a loop (5 instances a request, `parallel` clients) until stop() resolves the promise it returns. */
export function startLoad(port: number, parallel = 2): { stop(): Promise<LoadResult> } {
  const acknowledged: string[] = [];
  const failures = new Map<string, number>();
  let running = true;
  let offset = 0;
  const client = async () => {
    while (running) {
      const instances = referenceInstances(5, offset % 400);
      offset += 5;
      try {
        const response = await request<{ predictions?: { prediction_id: string }[] }>(port, 'POST', '/predict', { instances });
        if (response.status === 200) acknowledged.push(...response.body.predictions!.map((p) => p.prediction_id));
        else failures.set(String(response.status), (failures.get(String(response.status)) ?? 0) + 1);
      } catch (error) {
        failures.set((error as Error).message, (failures.get((error as Error).message) ?? 0) + 1);
      }
    }
  };
  const clients = Array.from({ length: parallel }, client);
  return {
    async stop() {
      running = false;
      await Promise.all(clients);
      return { acknowledged, failures };
    },
  };
}

/** Every acknowledged id is stored exactly once, and nothing else is. */
export async function expectStoredExactlyOnce(sqlitePath: string, acknowledged: readonly string[]): Promise<void> {
  const db = new Database(sqlitePath, { readonly: true });
  try {
    const counts = () =>
      db
        .prepare<[string], { n: number; distinct_ids: number }>(
          'SELECT count(*) AS n, count(DISTINCT prediction_id) AS distinct_ids FROM predictions WHERE prediction_id IN (SELECT value FROM json_each(?))',
        )
        .get(JSON.stringify(acknowledged))!;
    await waitFor('every acknowledged prediction in SQLite', () => (counts().distinct_ids === acknowledged.length ? true : undefined), 90_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}: ${counts().distinct_ids} of ${acknowledged.length} stored`);
      },
    );
    expect(counts()).to.deep.equal({ n: acknowledged.length, distinct_ids: acknowledged.length });
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).to.equal(acknowledged.length);
  } finally {
    db.close();
  }
}

/**
 * The other Redis users on this topology, each once: a corrupt record is
 * dead-lettered, the shared rate limiter counted this client in Redis, the
 * API's request counts reached Redis, and the alert scheduler's rounds ran.
 */
export async function expectEveryRedisUserWorks(stack: TopologyStack): Promise<void> {
  const { connection, config } = stack;
  const names = queueNames(config.queueName);

  const log = new ReadyQueue(connection, names.log);
  const dlq = new DeadLetterQueue(connection, config.queueName);
  try {
    const corrupt = { ...predictionRecord(), probability: 'high' };
    await log.get().add(LOG_BATCH_JOB.name, { v: 1, records: [corrupt] });
    const letters = await waitFor('the corrupt record dead-lettered', async () => {
      const found = await dlq.list();
      return found.length > 0 ? found : undefined;
    });
    expect(letters[0]).to.include({ kind: 'rejected-records', records: 1, reason: 'probability is not in [0, 1]' });
  } finally {
    await dlq.close();
    await log.close();
  }

  // rate-limiter-flexible's key: `<prefix>:<client>`; one key, so any slot will do on a Cluster.
  expect(Number(await connection.get(`${names.rateLimitPrefix}:127.0.0.1`))).to.be.greaterThan(0);

  // The API flushes its per-minute counts every 5 s, several minutes in one MULTI (hence one slot on a Cluster).
  await waitFor(
    'request counts in Redis',
    async () => {
      const minute = Math.floor(Date.now() / 60_000);
      const prefix = sameSlotPrefix(connection, names.requestCountPrefix);
      const totals = await Promise.all([minute - 1, minute].map((m) => connection.hget(`${prefix}:requests:${m}`, 'total')));
      return totals.some((t) => Number(t) > 0) ? true : undefined;
    },
    20_000,
  );

  const evaluations = new ReadyQueue(connection, names.alertEvaluations);
  try {
    const schedulers = await evaluations.get().getJobSchedulers();
    expect(schedulers.map((s) => s.key)).to.include('evaluate-alert-rules');
    const since = Date.now();
    await waitFor(
      'an alert round finished after this check began',
      async () => {
        const [newest] = await evaluations.get().getCompleted(0, 0);
        return (newest?.finishedOn ?? 0) > since ? true : undefined;
      },
      20_000,
    );
  } finally {
    await evaluations.close();
  }
  // The prefix the worker's Worker used is the one these checks used.
  expect(bullConnection(connection, names.log).prefix).to.equal(connection.isCluster ? `bull:{${names.log}}` : undefined);
}
