import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createLabelLogger, createPredictionLogger, redisUrlAddress, type JournalDestination } from '@vigil/prediction-log';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { ageLease, instanceDir } from '../../../test/support/journal-dirs';
import { useTempDirs } from '../../../test/support/temp-dirs';
import { REDIS_URL } from '../../../test/support/test-env';
import type { SpoolStatus } from '../src/spool/spool-status';
import { runCli } from './support/run-cli';

/** A client that never dials: every enqueue fails at once, so what is journaled stays on disk. */
function neverConnected(): Redis {
  const connection = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  return connection;
}

/** Longer than any test: the live logger must not see the dead ones as dead (it would adopt them). */
const LOGGER_LEASE_MS = 3_600_000;

describe('vigil spool status on a journal written by real loggers', function () {
  this.timeout(60_000);
  const tempDir = useTempDirs();
  const queueName = 'cli-spool-queue';
  const here: JournalDestination = { queue: queueName, redis: redisUrlAddress(REDIS_URL) };
  const elsewhere: JournalDestination = { queue: 'another-deployment', redis: 'redis-b:6379/0' };
  const connection = neverConnected();
  const closers: (() => Promise<void>)[] = [];
  afterEach(async function () {
    for (const close of closers.splice(0)) await close();
  });
  after(() => connection.disconnect());

  function predictionLogger(dir: string, instanceId: string, destination: JournalDestination) {
    const logger = createPredictionLogger({
      connection,
      queueName: destination.queue,
      instanceId,
      destination,
      maxBatchRecords: 5,
      maxBatchWaitMs: 60_000,
      journal: { dir, maxBytes: 10 * 1024 * 1024, leaseMs: LOGGER_LEASE_MS },
    });
    return logger;
  }

  /** An instance that journaled `count` records and stopped `agoMs` ago without Redis taking them. */
  async function deadInstance(dir: string, instanceId: string, count: number, destination: JournalDestination, agoMs: number): Promise<void> {
    const logger = predictionLogger(dir, instanceId, destination);
    for (const record of predictionRecords(count)) logger.log(record);
    await logger.close();
    ageLease(instanceDir(dir, instanceId), agoMs);
  }

  it('reports each instance: owner, live or dead, segments, bytes, records; a foreign destination flagged', async function () {
    const dir = tempDir('cli-spool');
    await deadInstance(dir, 'api-dead', 3, here, 60_000);
    await deadInstance(dir, 'api-foreign', 2, elsewhere, 60_000);
    const live = predictionLogger(dir, 'api-live', here);
    closers.push(() => live.close());
    for (const record of predictionRecords(7, { start: 100 })) live.log(record);
    const labels = createLabelLogger({
      connection,
      queueName,
      instanceId: 'labels-live',
      destination: here,
      maxBatchWaitMs: 60_000,
      journal: { dir, maxBytes: 1024 * 1024, leaseMs: LOGGER_LEASE_MS },
    });
    closers.push(() => labels.close());
    labels.log({ prediction_id: 'p-1', label: 1, labeled_at: '2026-11-27T10:00:00.000Z', received_at: '2026-11-27T10:00:01.000Z' });
    await live.flush();

    const env = { SPOOL_DIR: dir, QUEUE_NAME: queueName, REDIS_URL, JOURNAL_LEASE_MS: '10000' };
    const run = await runCli(['spool', 'status', '--json'], env);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    const status = JSON.parse(run.stdout) as SpoolStatus;
    expect(status.destination).to.deep.equal(here);
    const byId = new Map(status.instances.map((instance) => [instance.instance_id, instance]));
    expect([...byId.keys()]).to.deep.equal(['api-dead', 'api-foreign', 'api-live', 'labels-live']);
    expect(byId.get('api-dead')).to.deep.include({ stream: 'predictions', state: 'dead', foreign: false, records: 3, segments: 1 });
    expect(byId.get('api-dead')!.lease_age_ms).to.be.within(60_000, 90_000);
    expect(byId.get('api-dead')!.owner?.destination).to.deep.equal(here);
    expect(byId.get('api-foreign')).to.deep.include({ state: 'dead', foreign: true, records: 2 });
    expect(byId.get('api-foreign')!.owner?.destination).to.deep.equal(elsewhere);
    expect(byId.get('api-live')).to.deep.include({ stream: 'predictions', state: 'live', foreign: false, records: 7 });
    expect(byId.get('api-live')!.segments).to.be.at.least(2); // one segment per batch of 5
    expect(byId.get('labels-live')).to.deep.include({ stream: 'labels', state: 'live', foreign: false, records: 1 });
    expect(byId.get('labels-live')!.owner?.destination).to.deep.equal({ ...here, stream: 'labels' });
    const bytes = status.instances.reduce((sum, instance) => sum + instance.bytes, 0);
    expect(bytes).to.be.above(0);
    expect(status.totals).to.deep.include({ instances: 4, live: 2, dead: 2, foreign: 1, bytes });

    const text = await runCli(['spool', 'status'], env);
    expect(text.code).to.equal(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).to.match(new RegExp(`^SPOOL_DIR ${dir}: 4 logger instance\\(s\\), 2 live, 2 dead \\(lease older than 10 s\\), 1 foreign; `));
    expect(lines[1]).to.equal(`this deployment: queue ${queueName} on ${here.redis}`);
    const line = (id: string) => lines.find((candidate) => candidate.includes(`\t${id}\t`)) ?? '';
    expect(line('api-foreign')).to.match(/DEAD \(lease 6\d\.\d s old\).*2 record\(s\).*→ queue another-deployment on redis-b:6379\/0.* FOREIGN: /);
    expect(line('api-dead'))
      .to.match(/DEAD .*3 record\(s\)/)
      .and.not.to.include('FOREIGN');
    expect(line('api-live')).to.match(/^ {2}predictions\tapi-live\tLIVE .*7 record\(s\)/);
    expect(line('labels-live')).to.match(/^ {2}labels\tlabels-live\tLIVE .*1 record\(s\)\t→ queue cli-spool-queue on .*, stream labels/);
  });

  it('--dir reads another directory; a missing one is exit 1 with where it looked', async function () {
    const dir = tempDir('cli-spool-missing');
    const run = await runCli(['spool', 'status', '--dir', `${dir}/nothing-here`], { QUEUE_NAME: queueName, REDIS_URL });
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal(`spool status: no journal directory at ${dir}/nothing-here\n`);
  });
});
