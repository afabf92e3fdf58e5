import { expect } from 'chai';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '@vigil/config';
import { createPredictionLogger, LOG_BATCH_DEFAULTS, type PredictionLoggerEvents } from '@vigil/prediction-log';
import type { PredictionRecord } from '@vigil/records';
import { predictionRecord as record, predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { instanceDir, journaledRecords, leaseAgeMs, segmentFiles } from '../../../test/support/journal-dirs';
import { useTempDirs } from '../../../test/support/temp-dirs';

/**
 * A real ioredis client that never dials (lazyConnect), with the API's
 * fail-fast setting: every enqueue fails at once, as with Redis down.
 */
function neverConnected(): Redis {
  const connection = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  return connection;
}

/** A TCP port nothing listens on: bound by this process for a moment, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every event the logger reports, in order. */
function recorder() {
  const seen = { spooled: [] as number[], dropped: [] as [number, string][], enqueueFailed: [] as [number, string][], enqueued: [] as number[] };
  const events: PredictionLoggerEvents = {
    spooled: (records) => seen.spooled.push(records),
    dropped: (records, reason) => seen.dropped.push([records, reason]),
    enqueueFailed: (records, error) => seen.enqueueFailed.push([records, error.message]),
    enqueued: (records) => seen.enqueued.push(records),
  };
  return { seen, events };
}

const ids = (records: readonly PredictionRecord[]) => records.map((r) => r.prediction_id);
const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('createPredictionLogger defaults', function () {
  it('has the batch limits of the API configuration (LOG_BATCH_MAX_RECORDS, LOG_BATCH_MAX_WAIT_MS)', function () {
    const config = loadConfig({});
    expect(LOG_BATCH_DEFAULTS).to.deep.equal({ maxRecords: config.logBatchMaxRecords, maxWaitMs: config.logBatchMaxWaitMs });
  });

  it('flushes a batch the default wait after its first record', async function () {
    // Never connected, so each batch fails at once and, with no journal, is reported dropped: that marks the flush.
    const connection = neverConnected();
    let dropped: (ms: number) => void = () => undefined;
    const flushedAfter = new Promise<number>((resolve) => (dropped = resolve));
    const started = performance.now();
    const logger = createPredictionLogger({ connection, queueName: 'defaults-test', events: { dropped: () => dropped(performance.now() - started) } });
    logger.log(record());
    const ms = await flushedAfter;
    await logger.close();
    connection.disconnect();
    expect(ms)
      .to.be.at.least(LOG_BATCH_DEFAULTS.maxWaitMs - 5)
      .and.below(LOG_BATCH_DEFAULTS.maxWaitMs + 2000);
  });

  it('gives each process start an instance id of its own, and refuses one that cannot name a directory', async function () {
    const connection = neverConnected();
    const a = createPredictionLogger({ connection, queueName: 'id-test' });
    const b = createPredictionLogger({ connection, queueName: 'id-test' });
    expect(a.instanceId).to.match(/^api-[a-z0-9]+-[0-9a-f]{12}$/);
    expect(a.instanceId).to.not.equal(b.instanceId);
    await Promise.all([a.close(), b.close()]);
    for (const bad of ['', '.hidden', '../up', 'a/b', 'x'.repeat(65)]) {
      expect(() => createPredictionLogger({ connection, queueName: 'id-test', instanceId: bad }), bad).to.throw(RangeError, /instanceId/);
    }
    connection.disconnect();
  });
});

describe('createPredictionLogger without Redis', function () {
  const tempDir = useTempDirs();

  it('journals every record while Redis cannot be used, counted by `spooled`; flush() resolves once all are on disk, in the order logged', async function () {
    const connection = neverConnected();
    const dir = tempDir('logger-journal');
    const { seen, events } = recorder();
    const logger = createPredictionLogger({
      connection,
      queueName: 'spool-test',
      instanceId: 'spool-test-1',
      maxBatchRecords: 10,
      maxBatchWaitMs: 60_000,
      journal: { dir, maxBytes: 10 * 1024 * 1024 },
      events,
    });
    const records = predictionRecords(25);
    for (const r of records) logger.log(r);
    await logger.flush();
    // Two full batches went as they filled, the last five with the flush.
    expect(seen.spooled).to.deep.equal([10, 10, 5]);
    expect(seen.enqueueFailed.map(([n]) => n)).to.deep.equal([10, 10, 5]);
    for (const [, message] of seen.enqueueFailed) expect(message).to.match(/Redis is not connected/);
    expect(seen.dropped).to.deep.equal([]);
    expect(seen.enqueued).to.deep.equal([]);
    // One segment per batch, the records stamped with this instance and numbered in the order logged.
    const own = instanceDir(dir, 'spool-test-1');
    expect(segmentFiles(own)).to.have.length(3);
    const journaled = journaledRecords(own);
    expect(ids(journaled)).to.deep.equal(ids(records));
    expect(journaled.map((r) => [r.instance_id, r.seq])).to.deep.equal(records.map((_, i) => ['spool-test-1', i + 1]));
    expect(logger.progress()).to.deep.equal({ instanceId: 'spool-test-1', served: 25, backlogRecords: 25, bufferedRecords: 0, inFlightRecords: 0 });
    const health = logger.health();
    expect(health).to.include({ redis: 'down', journalWritable: true, full: false, maxBytes: 10 * 1024 * 1024 });
    expect(health.backlogBytes).to.be.greaterThan(0);
    await logger.close();
    expect(ids(journaledRecords(own))).to.deep.equal(ids(records));
    connection.disconnect();
  });

  it('journals too on a client dialling a port where nothing listens (connection refused, retrying)', async function () {
    const connection = new Redis(`redis://127.0.0.1:${await closedPort()}`, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    const refused = new Promise<Error>((resolve) => connection.once('error', resolve));
    connection.on('error', () => undefined);
    const dir = tempDir('logger-journal');
    const { seen, events } = recorder();
    const logger = createPredictionLogger({ connection, queueName: 'refused-test', maxBatchWaitMs: 5, journal: { dir, maxBytes: 1024 * 1024 }, events });
    try {
      expect(((await refused) as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
      const records = predictionRecords(3, { start: 100 });
      for (const r of records) logger.log(r);
      await logger.flush();
      expect(seen.spooled).to.deep.equal([3]);
      expect(seen.dropped).to.deep.equal([]);
      await logger.close();
      expect(ids(journaledRecords(instanceDir(dir, logger.instanceId)))).to.deep.equal(ids(records));
    } finally {
      connection.disconnect();
    }
  });

  it('reports the records as dropped, naming why, when there is no journal, and flush() still resolves', async function () {
    const connection = neverConnected();
    const { seen, events } = recorder();
    const logger = createPredictionLogger({ connection, queueName: 'drop-test', maxBatchWaitMs: 60_000, events });
    for (const r of predictionRecords(3)) logger.log(r);
    await logger.flush();
    expect(seen.dropped).to.have.length(1);
    expect(seen.dropped[0]![0]).to.equal(3);
    expect(seen.dropped[0]![1]).to.match(/^no journal \(Redis is not connected/);
    expect(seen.spooled).to.deep.equal([]);
    expect(logger.health()).to.deep.equal({ redis: 'down', journalWritable: false, backlogBytes: 0, maxBytes: 0, full: true });
    await logger.close();
    connection.disconnect();
  });

  it('keeps what fits when the journal is full, reports the rest as dropped once Redis fails them, and says full in health()', async function () {
    const connection = neverConnected();
    const dir = tempDir('logger-journal');
    const records = predictionRecords(10);
    const stamped = records.map((r, i) => ({ ...r, instance_id: 'full-test-1', seq: i + 1 }));
    const lineBytes = stamped.map((r) => Buffer.byteLength(JSON.stringify(r) + '\n'));
    // Room for seven records, not ten.
    const maxBytes = lineBytes.slice(0, 7).reduce((a, b) => a + b, 0) + 10;
    const { seen, events } = recorder();
    const logger = createPredictionLogger({
      connection,
      queueName: 'full-test',
      instanceId: 'full-test-1',
      maxBatchRecords: 5,
      maxBatchWaitMs: 60_000,
      journal: { dir, maxBytes },
      events,
    });
    for (const r of records) logger.log(r);
    expect(logger.health().full).to.equal(true);
    expect(logger.health().journalWritable, 'full is not a disk failure').to.equal(true);
    await logger.flush();
    expect(seen.spooled).to.deep.equal([5, 2]);
    expect(seen.dropped.map(([n, reason]) => [n, reason.startsWith('journal full or unwritable')])).to.deep.equal([[3, true]]);
    expect(ids(journaledRecords(instanceDir(dir, 'full-test-1')))).to.deep.equal(ids(records.slice(0, 7)));
    await logger.close();
    connection.disconnect();
  });

  it('says the journal is unwritable when the disk refuses it, and reports the records dropped once Redis fails them', async function () {
    const connection = neverConnected();
    const dir = tempDir('logger-journal');
    const { seen, events } = recorder();
    const failures: string[] = [];
    const logger = createPredictionLogger({
      connection,
      queueName: 'unwritable-test',
      maxBatchWaitMs: 60_000,
      journal: { dir, maxBytes: 1024 * 1024 },
      events: { ...events, journalFailed: (error) => failures.push(error.message) },
    });
    // A directory where the next segment file would go: open(2) fails, as on a broken disk.
    const blocker = join(instanceDir(dir, logger.instanceId), '000000000001.jsonl');
    mkdirSync(blocker);
    writeFileSync(join(blocker, 'x'), '');
    for (const r of predictionRecords(3)) logger.log(r);
    expect(logger.health()).to.include({ journalWritable: false });
    expect(failures, 'reported once, not per record').to.have.length(1);
    await logger.flush();
    expect(seen.dropped.map(([n, reason]) => [n, reason.startsWith('journal full or unwritable')])).to.deep.equal([[3, true]]);
    await logger.close();
    connection.disconnect();
  });

  it('close() hands over what is buffered, stops its timers, expires its lease for the next logger, leaves the connection alone', async function () {
    const connection = neverConnected();
    const dir = tempDir('logger-journal');
    const { seen, events } = recorder();
    await new Promise(setImmediate); // past the first await, mocha's own timeout timer is running: count it in
    const timersBefore = activeTimers();
    // A short lease: the heartbeat would refresh it every 100 ms if its (unref'd) timer still ran after close().
    const journal = { dir, maxBytes: 1024 * 1024, leaseMs: 300 };
    const logger = createPredictionLogger({ connection, queueName: 'close-test', maxBatchWaitMs: 60_000, journal, events });
    const logged: PredictionRecord[] = [record(), record()];
    for (const r of logged) logger.log(r);
    expect(activeTimers(), 'the batch timer runs while records wait').to.equal(timersBefore + 1);
    await logger.close();
    expect(seen.spooled).to.deep.equal([2]);
    expect(activeTimers()).to.equal(timersBefore);
    const own = instanceDir(dir, logger.instanceId);
    expect(ids(journaledRecords(own))).to.deep.equal(ids(logged));
    // Expired (mtime 0), so whoever starts next on this volume adopts the backlog at once rather than after the lease;
    // and still expired a few heartbeats later: the journal's timer stopped too.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(leaseAgeMs(own)).to.be.greaterThan(Date.now() - 1000);
    expect(connection.status).to.equal('wait');
    connection.disconnect();
  });

  it('close() removes its directory when nothing waits in it', async function () {
    const connection = neverConnected();
    const dir = tempDir('logger-journal');
    const logger = createPredictionLogger({ connection, queueName: 'empty-close-test', journal: { dir, maxBytes: 1024 * 1024 } });
    expect(existsSync(instanceDir(dir, logger.instanceId))).to.equal(true);
    await logger.close();
    expect(existsSync(instanceDir(dir, logger.instanceId))).to.equal(false);
    connection.disconnect();
  });

  it('refuses an instance id whose directory is already on the volume (seq would start again under the same id)', async function () {
    const connection = neverConnected();
    const dir = tempDir('logger-journal');
    const first = createPredictionLogger({ connection, queueName: 'dup-test', instanceId: 'dup-1', journal: { dir, maxBytes: 1024 * 1024 } });
    expect(() => createPredictionLogger({ connection, queueName: 'dup-test', instanceId: 'dup-1', journal: { dir, maxBytes: 1024 * 1024 } })).to.throw(
      /already exists/,
    );
    await first.close();
    connection.disconnect();
  });
});
