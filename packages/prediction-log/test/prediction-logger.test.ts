import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '@vigil/config';
import { createPredictionLogger, DiskSpool, LOG_BATCH_DEFAULTS, type PredictionLoggerEvents } from '@vigil/prediction-log';
import type { PredictionRecord } from '@vigil/records';
import { predictionRecord as record, predictionRecords } from '../../../test/support/fixtures/prediction-records';
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

/** What a spool directory holds, read by a fresh DiskSpool (as the next start of this process would). */
function spooledIds(dir: string): string[] {
  const spool = new DiskSpool({ dir, maxBytes: 10 * 1024 * 1024 });
  const ids: string[] = [];
  for (const segment of spool.sealForReplay()) for (const batch of spool.read(segment)) ids.push(...batch.records.map((r) => r.prediction_id));
  spool.close();
  return ids;
}

const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('createPredictionLogger defaults', function () {
  it('has the batch limits of the API configuration (LOG_BATCH_MAX_RECORDS, LOG_BATCH_MAX_WAIT_MS)', function () {
    const config = loadConfig({});
    expect(LOG_BATCH_DEFAULTS).to.deep.equal({ maxRecords: config.logBatchMaxRecords, maxWaitMs: config.logBatchMaxWaitMs });
  });

  it('flushes a batch the default wait after its first record', async function () {
    // Never connected, so each batch fails at once and, with no spool, is reported dropped: that marks the flush.
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
});

describe('createPredictionLogger without Redis', function () {
  const tempDir = useTempDirs();

  it('spools every record while Redis cannot be used, counted by `spooled`; flush() resolves once all are on disk, in the order logged', async function () {
    const connection = neverConnected();
    const dir = tempDir('logger-spool');
    const spool = new DiskSpool({ dir, maxBytes: 10 * 1024 * 1024 });
    const { seen, events } = recorder();
    const logger = createPredictionLogger({ connection, queueName: 'spool-test', maxBatchRecords: 10, maxBatchWaitMs: 60_000, spool, events });
    const records = predictionRecords(25);
    for (const r of records) logger.log(r);
    await logger.flush();
    // Two full batches went as they filled, the last five with the flush.
    expect(seen.spooled).to.deep.equal([10, 10, 5]);
    expect(seen.enqueueFailed.map(([n]) => n)).to.deep.equal([10, 10, 5]);
    for (const [, message] of seen.enqueueFailed) expect(message).to.match(/Redis is not connected/);
    expect(seen.dropped).to.deep.equal([]);
    expect(seen.enqueued).to.deep.equal([]);
    expect(spool.hasBacklog).to.equal(true);
    await logger.close();
    expect(spooledIds(dir)).to.deep.equal(records.map((r) => r.prediction_id));
    connection.disconnect();
  });

  it('spools too on a client dialling a port where nothing listens (connection refused, retrying)', async function () {
    const connection = new Redis(`redis://127.0.0.1:${await closedPort()}`, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    const refused = new Promise<Error>((resolve) => connection.once('error', resolve));
    connection.on('error', () => undefined);
    const dir = tempDir('logger-spool');
    const { seen, events } = recorder();
    const logger = createPredictionLogger({
      connection,
      queueName: 'refused-test',
      maxBatchWaitMs: 5,
      spool: new DiskSpool({ dir, maxBytes: 1024 * 1024 }),
      events,
    });
    try {
      expect(((await refused) as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
      const records = predictionRecords(3, { start: 100 });
      for (const r of records) logger.log(r);
      await logger.flush();
      expect(seen.spooled).to.deep.equal([3]);
      expect(seen.dropped).to.deep.equal([]);
      await logger.close();
      expect(spooledIds(dir)).to.deep.equal(records.map((r) => r.prediction_id));
    } finally {
      connection.disconnect();
    }
  });

  it('reports the records as dropped, naming why, when there is no spool, and flush() still resolves', async function () {
    const connection = neverConnected();
    const { seen, events } = recorder();
    const logger = createPredictionLogger({ connection, queueName: 'drop-test', maxBatchWaitMs: 60_000, events });
    for (const r of predictionRecords(3)) logger.log(r);
    await logger.flush();
    expect(seen.dropped).to.have.length(1);
    expect(seen.dropped[0]![0]).to.equal(3);
    expect(seen.dropped[0]![1]).to.match(/^no spool \(Redis is not connected/);
    expect(seen.spooled).to.deep.equal([]);
    await logger.close();
    connection.disconnect();
  });

  it('reports a batch the spool has no room for as dropped, and spools the ones that fit', async function () {
    const connection = neverConnected();
    const dir = tempDir('logger-spool');
    const oneBatch = Buffer.byteLength(JSON.stringify({ records: predictionRecords(5) }) + '\n');
    const { seen, events } = recorder();
    // Room for one batch of five, not two.
    const spool = new DiskSpool({ dir, maxBytes: Math.floor(oneBatch * 1.5) });
    const logger = createPredictionLogger({ connection, queueName: 'full-test', maxBatchRecords: 5, spool, events });
    for (const r of predictionRecords(10)) logger.log(r);
    await logger.flush();
    expect(seen.spooled).to.deep.equal([5]);
    expect(seen.dropped.map(([n, reason]) => [n, reason.startsWith('spool full or unwritable')])).to.deep.equal([[5, true]]);
    await logger.close();
    connection.disconnect();
  });

  it('close() hands over what is still buffered, seals the spool, leaves no timer running and leaves the connection to its owner', async function () {
    const connection = neverConnected();
    const dir = tempDir('logger-spool');
    const { seen, events } = recorder();
    await new Promise(setImmediate); // past the first await, mocha's own timeout timer is running: count it in
    const timersBefore = activeTimers();
    const logger = createPredictionLogger({
      connection,
      queueName: 'close-test',
      maxBatchWaitMs: 60_000,
      spool: new DiskSpool({ dir, maxBytes: 1024 * 1024 }),
      events,
    });
    const logged: PredictionRecord[] = [record(), record()];
    for (const r of logged) logger.log(r);
    expect(activeTimers(), 'the batch timer runs while records wait').to.equal(timersBefore + 1);
    await logger.close();
    expect(seen.spooled).to.deep.equal([2]);
    expect(activeTimers()).to.equal(timersBefore);
    // The open segment was closed and marked ready for replay.
    expect(readdirSync(dir).filter((name) => name.endsWith('.open'))).to.deep.equal([]);
    expect(spooledIds(dir)).to.deep.equal(logged.map((r) => r.prediction_id));
    expect(connection.status).to.equal('wait');
    connection.disconnect();
  });
});
