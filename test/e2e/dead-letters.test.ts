import { expect } from 'chai';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createWorkerMetrics, createLogger } from '@vigil/metrics';
import { deadLetterExhaustedJob, DeadLetterQueue, encodeLogBatch, LOG_BATCH_JOB } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { predictionRecord } from '../support/fixtures/prediction-records';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { testConfig, waitFor } from '../support/test-env';

const run = promisify(execFile);

/** A record logged now; a latency of 999 is the one the store-refusal test's trigger refuses. */
const record = (latency_ms = 1.25): PredictionRecord => predictionRecord({ latency_ms });

describe('dead letters: a record that can never be written does not block the others', function () {
  this.timeout(60_000);
  let stack: Stack;
  let connection: Redis;
  let queue: Queue;
  let dlq: DeadLetterQueue;
  let db: Database.Database;

  before(async function () {
    stack = await startStack(testConfig());
    connection = new Redis(stack.config.redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(stack.config.queueName, { connection });
    dlq = new DeadLetterQueue(connection, stack.config.queueName);
    db = new Database(stack.config.sqlitePath);
  });
  after(async function () {
    db?.close();
    await dlq?.close();
    await queue?.close();
    connection?.disconnect();
    await stack?.close();
  });

  const stored = (ids: readonly string[]) =>
    db.prepare('SELECT prediction_id FROM predictions WHERE prediction_id IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(ids)) as string[];

  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', ...args], {
      env: { ...process.env, REDIS_URL: stack.config.redisUrl, QUEUE_NAME: stack.config.queueName },
    });

  it('stores the good records of a batch and dead-letters the corrupt ones, with the reason', async function () {
    const good = [record(), record()];
    const corrupt = { ...record(), probability: 'high' };
    await queue.add(LOG_BATCH_JOB.name, { v: 1, records: [good[0], corrupt, good[1]] });
    await waitFor('the good rows', () => (stored(good.map((r) => r.prediction_id)).length === 2 ? true : undefined));
    const [letter] = await waitFor('a dead letter', async () => ((await dlq.list()).length > 0 ? dlq.list() : undefined));
    expect(letter).to.include({ kind: 'rejected-records', records: 1, reason: 'probability is not in [0, 1]' });
    const full = await dlq.get(letter!.id);
    expect(full.records).to.deep.equal([corrupt]);
    expect(stored([corrupt.prediction_id])).to.deep.equal([]);
  });

  it('dead-letters only the record a store refuses, and stores the rest of its batch', async function () {
    // A trigger stands in for a store that rejects one row (RAISE gives SQLITE_CONSTRAINT_TRIGGER).
    db.exec(`CREATE TRIGGER refuse_999 BEFORE INSERT ON predictions WHEN NEW.latency_ms = 999 BEGIN SELECT RAISE(ABORT, 'refused by test'); END`);
    try {
      const batch = [record(), record(999), record(), record()];
      await queue.add(LOG_BATCH_JOB.name, { v: 1, records: batch });
      const goodIds = batch.filter((r) => r.latency_ms !== 999).map((r) => r.prediction_id);
      await waitFor('the three good rows', () => (stored(goodIds).length === 3 ? true : undefined));
      const letters = await waitFor('the refused record', async () => {
        const found = (await dlq.list()).filter((l) => l.kind === 'store-rejected-records');
        return found.length > 0 ? found : undefined;
      });
      const full = await dlq.get(letters[0]!.id);
      expect((full.records[0] as PredictionRecord).prediction_id).to.equal(batch[1]!.prediction_id);
      expect(full.problems[0]!.problem).to.match(/refused by test/);
    } finally {
      db.exec('DROP TRIGGER refuse_999');
    }
  });

  it('lists, shows and replays dead letters from the CLI; a replay stores the records once', async function () {
    const held = [record(), record(), record()];
    const id = await dlq.add({ kind: 'failed-batch', source_job_id: 'test', reason: 'SQLite was unwritable', problems: [], records: held });

    const list = await cli('dlq', 'list');
    expect(list.stdout).to.match(new RegExp(`^${id}\\tfailed-batch\\t3 record\\(s\\)\\t.*SQLite was unwritable$`, 'm'));
    const shown = JSON.parse((await cli('dlq', 'show', id)).stdout) as { records: PredictionRecord[] };
    expect(shown.records.map((r) => r.prediction_id)).to.deep.equal(held.map((r) => r.prediction_id));

    const replayed = await cli('dlq', 'replay', id);
    expect(replayed.stdout).to.match(new RegExp(`replayed ${id}: 3 record\\(s\\)`));
    await waitFor('the replayed rows', () => (stored(held.map((r) => r.prediction_id)).length === 3 ? true : undefined));
    expect((await dlq.list()).map((l) => l.id)).not.to.include(id);

    // Replaying the same records again (say, an operator's second try) adds no duplicate.
    const again = await dlq.add({ kind: 'failed-batch', source_job_id: 'test', reason: 'again', problems: [], records: held });
    await cli('dlq', 'replay', again);
    await waitFor('the second replay to be consumed', async () =>
      (await queue.getWaitingCount()) === 0 && (await queue.getActiveCount()) === 0 ? true : undefined,
    );
    expect(
      db
        .prepare('SELECT count(*) FROM predictions WHERE prediction_id IN (SELECT value FROM json_each(?))')
        .pluck()
        .get(JSON.stringify(held.map((r) => r.prediction_id))),
    ).to.equal(3);
  });

  it('lists, shows and replays dead letters over HTTP (/admin/dead-letters)', async function () {
    const held = [record(), record()];
    const id = await dlq.add({ kind: 'failed-batch', source_job_id: 'http', reason: 'for the admin API', problems: [], records: held });
    const list = await request<{ count: number; dead_letters: { id: string; reason: string }[] }>(stack.api.port, 'GET', '/admin/dead-letters');
    expect(list.status).to.equal(200);
    expect(list.body.dead_letters.find((l) => l.id === id)?.reason).to.equal('for the admin API');
    const shown = await request<{ records: PredictionRecord[] }>(stack.api.port, 'GET', `/admin/dead-letters/${id}`);
    expect(shown.body.records.map((r) => r.prediction_id)).to.deep.equal(held.map((r) => r.prediction_id));
    const replayed = await request<{ records: number }>(stack.api.port, 'POST', `/admin/dead-letters/${id}/replay`);
    expect(replayed.status).to.equal(200);
    expect(replayed.body.records).to.equal(2);
    await waitFor('the replayed rows', () => (stored(held.map((r) => r.prediction_id)).length === 2 ? true : undefined));
    const gone = await request<{ error: { code: string } }>(stack.api.port, 'GET', `/admin/dead-letters/${id}`);
    expect(gone.status).to.equal(404);
    expect(gone.body.error.code).to.equal('DEAD_LETTER_NOT_FOUND');
  });

  it('moves a batch that failed every attempt to the dead letters whole, its records in record shape', async function () {
    // Its own queue, and a worker that can never write: the batch goes through all its attempts.
    const queueName = testConfig().queueName;
    const ownQueue = new Queue(queueName, { connection });
    const ownLetters = new DeadLetterQueue(connection, queueName);
    const held = [record(1), { ...record(2), features: { b: 1, a: 2 } }, record(3)];
    const failing = new Worker(
      queueName,
      async () => {
        throw new Error('SQLite is unwritable');
      },
      { connection: new Redis(stack.config.redisUrl, { maxRetriesPerRequest: null }) },
    );
    const moved = new Promise<void>((resolve) => {
      const move = deadLetterExhaustedJob(ownLetters, createWorkerMetrics(), createLogger('worker', 'error'));
      failing.on('failed', (job, error) => void move(job, error).then(() => (job && job.attemptsMade >= 2 ? resolve() : undefined)));
    });
    try {
      const job = await ownQueue.add(LOG_BATCH_JOB.name, encodeLogBatch(held), { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
      await moved;
      expect(await ownQueue.getJob(job.id!)).to.equal(undefined);
      const [summary] = await ownLetters.list();
      expect(summary).to.include({ kind: 'failed-batch', records: 3, reason: 'SQLite is unwritable', source_job_id: job.id });
      // Kept in record shape, not as version 2 rows, so a person can read them and a replay writes them as they were.
      expect((await ownLetters.get(summary!.id)).records).to.deep.equal(held);
    } finally {
      await failing.close();
      await ownLetters.close();
      for (const name of [queueName, `${queueName}-dead-letter`]) {
        const leftover = new Queue(name, { connection });
        await leftover.obliterate({ force: true });
        await leftover.close();
      }
      await ownQueue.close();
    }
  });

  it('answers a bad CLI call with usage and a non-zero exit', async function () {
    const failed = await cli('dlq', 'frobnicate').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).to.equal(2);
    expect(failed?.stderr).to.match(/^error: unknown command 'frobnicate'/);
    expect(failed?.stderr).to.match(/^ {2}dlq list \[options\]/m);
    const missing = await cli('dlq', 'show', 'no-such-id').then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(missing?.code).to.equal(1);
    expect(missing?.stdout).to.match(/No dead letter with id no-such-id/);
  });
});
