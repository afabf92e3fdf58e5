import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createPredictionLogger, redisUrlAddress, type PredictionLogger } from '@vigil/prediction-log';
import { logBatchRecords } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { predictionRecords } from '../support/fixtures/prediction-records';
import { instanceDir, instanceIds, segmentFiles } from '../support/journal-dirs';
import { TcpProxy } from '../support/tcp-proxy';
import { useTempDirs } from '../support/temp-dirs';
import { REDIS_URL, testQueueNames } from '../support/test-env';

/** A queue of this test's own, removed after the run with the others (test/support/cleanup-hooks.ts). */
function ownQueueName(): string {
  const name = `test-journal-${randomUUID().slice(0, 8)}`;
  testQueueNames.add(name);
  return name;
}

/** The API's kind of connection: fail fast while Redis is away. */
async function failFast(url = REDIS_URL): Promise<Redis> {
  const connection = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  connection.on('error', () => undefined);
  await once(connection, 'ready');
  return connection;
}

/** Every record in the queue, batch by batch in the order the batches were added (oldest first), decoded as the worker does. */
async function queuedBatches(queueName: string): Promise<PredictionRecord[][]> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection });
  try {
    const jobs = await queue.getJobs(['wait'], 0, -1, true);
    expect(await queue.getJobCountByTypes('active', 'completed', 'failed', 'delayed', 'prioritized'), 'no worker runs on this queue').to.equal(0);
    return jobs.map((job) => logBatchRecords(job.data) as PredictionRecord[]);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

const ids = (records: readonly PredictionRecord[]) => records.map((r) => r.prediction_id);

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the prediction journal on a real Redis', function () {
  this.timeout(60_000);
  const tempDir = useTempDirs();
  const closing: (() => Promise<void> | void)[] = [];
  afterEach(async function () {
    for (const close of closing.splice(0).reverse()) await close();
  });

  it('deletes each segment once Redis holds its batch, and the directory on close', async function () {
    const connection = await failFast();
    closing.push(() => connection.disconnect());
    const dir = tempDir('journal-trim');
    const queueName = ownQueueName();
    const enqueued: number[] = [];
    const logger = createPredictionLogger({
      connection,
      queueName,
      maxBatchRecords: 10,
      maxBatchWaitMs: 60_000,
      journal: { dir, maxBytes: 1024 * 1024 },
      events: { enqueued: (n) => enqueued.push(n) },
    });
    const own = instanceDir(dir, logger.instanceId);
    const records = predictionRecords(23);
    for (const record of records) logger.log(record);
    // Two batches sealed and in flight, three records in the open segment.
    expect(segmentFiles(own)).to.have.length(3);
    await logger.flush();
    expect(enqueued).to.deep.equal([10, 10, 3]);
    expect(segmentFiles(own)).to.deep.equal([]);
    expect(logger.health()).to.include({ redis: 'up', journalWritable: true, backlogBytes: 0, full: false });
    expect(logger.progress()).to.deep.include({ served: 23, backlogRecords: 0, bufferedRecords: 0, inFlightRecords: 0 });
    expect(ids((await queuedBatches(queueName)).flat())).to.deep.equal(ids(records));
    await logger.close();
    expect(existsSync(own)).to.equal(false);
  });

  it('keeps the batches of a Redis outage in the journal and replays them in order once Redis is back, new batches behind them', async function () {
    const upstream = Number(new URL(REDIS_URL).port || 6379);
    const proxy = await TcpProxy.start(upstream);
    closing.push(() => proxy.down());
    const connection = await failFast(`redis://127.0.0.1:${proxy.port}`);
    closing.push(() => connection.disconnect());
    const dir = tempDir('journal-outage');
    const queueName = ownQueueName();
    const spooled: number[] = [];
    const logger = createPredictionLogger({
      connection,
      queueName,
      maxBatchRecords: 5,
      maxBatchWaitMs: 60_000,
      replayIntervalMs: 50,
      journal: { dir, maxBytes: 1024 * 1024 },
      events: { spooled: (n) => spooled.push(n) },
    });
    closing.push(() => logger.close());
    const own = instanceDir(dir, logger.instanceId);
    const records = predictionRecords(30);
    for (const record of records.slice(0, 5)) logger.log(record);
    await logger.flush();
    await proxy.down();
    await until('the connection to notice', () => connection.status !== 'ready');
    for (const record of records.slice(5, 20)) logger.log(record);
    await logger.flush();
    expect(spooled).to.deep.equal([5, 5, 5]);
    expect(segmentFiles(own)).to.have.length(3);
    expect(logger.progress().backlogRecords).to.equal(15);
    await proxy.up();
    // Logged while the backlog may still wait: these go behind it.
    for (const record of records.slice(20)) logger.log(record);
    await logger.flush();
    await until('the connection back', () => connection.status === 'ready');
    expect(await logger.drainSpool(15_000)).to.equal(true);
    expect(segmentFiles(own)).to.deep.equal([]);
    expect(logger.health().backlogBytes).to.equal(0);
    const batches = await queuedBatches(queueName);
    expect(batches.map((batch) => batch.length)).to.deep.equal([5, 5, 5, 5, 5, 5]);
    expect(ids(batches.flat())).to.deep.equal(ids(records));
  });

  it('loses nothing when a logger is SIGKILLed right after log() returns: a logger of another instance replays all of it', async function () {
    const dir = tempDir('journal-kill');
    const queueName = ownQueueName();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./support/journal-child.ts', import.meta.url)), REDIS_URL, dir, queueName, 'killed-1', '100', '150'],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).to.deep.equal({ code: null, signal: 'SIGKILL' });
    const dead = instanceDir(dir, 'killed-1');
    // The first 100 reached Redis and left the journal; a batch of 100 sealed but never sent, and 50 in the open segment.
    expect(segmentFiles(dead)).to.have.length(2);
    const records = predictionRecords(250);
    expect(ids((await queuedBatches(queueName)).flat())).to.deep.equal(ids(records.slice(0, 100)));

    const connection = await failFast();
    closing.push(() => connection.disconnect());
    const adopted: string[] = [];
    const replayed: number[] = [];
    const adopter: PredictionLogger = createPredictionLogger({
      connection,
      queueName,
      instanceId: 'adopter-1',
      destination: { queue: queueName, redis: redisUrlAddress(REDIS_URL) },
      replayIntervalMs: 50,
      journal: { dir, maxBytes: 1024 * 1024, leaseMs: 1000 },
      events: { adopted: (id) => adopted.push(id), replayed: (n) => replayed.push(n) },
    });
    closing.push(() => adopter.close());
    // Its lease was fresh when it died: adopted once it is a second old.
    await until('the adoption', () => adopted.length > 0);
    expect(adopted).to.deep.equal(['killed-1']);
    expect(await adopter.drainSpool(15_000)).to.equal(true);
    expect(replayed).to.deep.equal([100, 50]);
    expect(instanceIds(dir)).to.deep.equal(['adopter-1']);
    const batches = await queuedBatches(queueName);
    expect(ids(batches.flat()), 'every record once, in the order logged').to.deep.equal(ids(records));
  });
});
