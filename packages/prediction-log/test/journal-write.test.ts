import { expect } from 'chai';
import fs, { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createPredictionLogger, type JournalFsync } from '@vigil/prediction-log';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { instanceDir, ownerOf, segmentFiles } from '../../../test/support/journal-dirs';
import { useTempDirs } from '../../../test/support/temp-dirs';

/** A client that never dials: every enqueue fails at once, so nothing leaves the journal. */
function neverConnected(): Redis {
  const connection = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  return connection;
}

/** Counts the write(2) calls made through fs.writeSync while `run` runs (see countingFsyncs). */
function countingWrites<T>(run: () => T): { result: T; writes: number } {
  const real = fs.writeSync;
  let writes = 0;
  fs.writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
    writes += 1;
    return (real as (...a: Parameters<typeof fs.writeSync>) => number)(...args);
  }) as typeof fs.writeSync;
  syncBuiltinESMExports();
  try {
    return { result: run(), writes };
  } finally {
    fs.writeSync = real;
    syncBuiltinESMExports();
  }
}

/**
 * Counts fsync(2) calls made through fs.fsyncSync while `run` runs. The call
 * still goes to the real fsyncSync; syncBuiltinESMExports makes the counting
 * one what `import { fsyncSync } from 'node:fs'` sees, then puts it back.
 */
async function countingFsyncs<T>(run: () => Promise<T> | T): Promise<{ result: T; fsyncs: number }> {
  const real = fs.fsyncSync;
  let fsyncs = 0;
  fs.fsyncSync = (fd) => {
    fsyncs += 1;
    real(fd);
  };
  syncBuiltinESMExports();
  try {
    const result = await run();
    return { result, fsyncs };
  } finally {
    fs.fsyncSync = real;
    syncBuiltinESMExports();
  }
}

describe('the prediction journal: write-ahead', function () {
  const tempDir = useTempDirs();

  for (const fsync of ['off', 'interval', 'always'] as const satisfies readonly JournalFsync[]) {
    it(`has each record in the open segment file the moment log() returns (JOURNAL_FSYNC=${fsync})`, async function () {
      const connection = neverConnected();
      const dir = tempDir('journal-write');
      const logger = createPredictionLogger({
        connection,
        queueName: 'write-ahead-test',
        instanceId: `write-ahead-${fsync}`,
        maxBatchWaitMs: 60_000,
        journal: { dir, maxBytes: 1024 * 1024, fsync, fsyncIntervalMs: 20 },
      });
      const own = instanceDir(dir, `write-ahead-${fsync}`);
      try {
        const records = predictionRecords(5);
        records.forEach((record, i) => {
          logger.log(record);
          // Read straight after log(), before any timer or await could write it: the batcher still holds the record too.
          const lines = readFileSync(join(own, segmentFiles(own)[0]!), 'utf8')
            .trimEnd()
            .split('\n');
          expect(lines).to.have.length(i + 1);
          expect(JSON.parse(lines[i]!)).to.deep.equal({ ...record, instance_id: `write-ahead-${fsync}`, seq: i + 1 });
        });
        expect(logger.progress().bufferedRecords).to.equal(5);
        expect(ownerOf(own)).to.deep.include({ instance_id: `write-ahead-${fsync}`, destination: { queue: 'write-ahead-test', redis: '127.0.0.1:1/0' } });
      } finally {
        await logger.close();
        connection.disconnect();
      }
    });
  }

  /** A logger whose Redis never answers, journaling into its own directory: what it journals stays there. */
  function offlineLogger(name: string, maxBytes: number) {
    const connection = neverConnected();
    const dir = tempDir(`journal-${name}`);
    const logger = createPredictionLogger({
      connection,
      queueName: `${name}-test`,
      instanceId: name,
      maxBatchWaitMs: 60_000,
      journal: { dir, maxBytes, fsync: 'off' },
    });
    const own = instanceDir(dir, name);
    return {
      logger,
      /** The open segment's lines, parsed. */
      journaled: () =>
        readFileSync(join(own, segmentFiles(own)[0]!), 'utf8')
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as { seq: number }),
      close: async () => {
        await logger.close();
        connection.disconnect();
      },
    };
  }

  it('logAll journals a batch request’s records in one write(2), each whole and numbered in turn, before it returns', async function () {
    const { logger, journaled, close } = offlineLogger('write-all', 1024 * 1024);
    const records = predictionRecords(101);
    try {
      logger.log(records[0]!);
      const { writes } = countingWrites(() => logger.logAll(records.slice(1)));
      expect(writes).to.equal(1);
      expect(journaled()).to.deep.equal(records.map((record, i) => ({ ...record, instance_id: 'write-all', seq: i + 1 })));
      expect(logger.progress()).to.include({ served: 101, bufferedRecords: 101 });
    } finally {
      await close();
    }
  });

  it('logAll near a full journal keeps the records that fit, one by one, and the rest in memory for Redis', async function () {
    const records = predictionRecords(10);
    const lineBytes = Buffer.byteLength(JSON.stringify({ ...records[0], instance_id: 'write-full', seq: 1 }) + '\n');
    const { logger, journaled, close } = offlineLogger('write-full', Math.floor(lineBytes * 4.5));
    try {
      logger.logAll(records);
      expect(journaled().map((line) => line.seq)).to.deep.equal([1, 2, 3, 4]);
      // Not journaled is not dropped: all ten wait in the batcher for Redis.
      expect(logger.progress()).to.include({ served: 10, bufferedRecords: 10 });
    } finally {
      await close();
    }
  });

  it('JOURNAL_FSYNC=always fsyncs before each log() returns; off never does; interval does on its timer, not in log()', async function () {
    const connection = neverConnected();
    const dir = tempDir('journal-fsync');
    const make = (fsync: JournalFsync) =>
      createPredictionLogger({
        connection,
        queueName: 'fsync-test',
        maxBatchWaitMs: 60_000,
        journal: { dir, maxBytes: 1024 * 1024, fsync, fsyncIntervalMs: 30 },
      });
    const records = predictionRecords(20);

    const always = make('always');
    const perLog: number[] = [];
    for (const record of records) perLog.push((await countingFsyncs(() => always.log(record))).fsyncs);
    // The first also fsyncs the directory, which now names the new segment file.
    expect(perLog).to.deep.equal([2, ...Array<number>(19).fill(1)]);

    const off = make('off');
    expect((await countingFsyncs(() => records.forEach((record) => off.log(record)))).fsyncs).to.equal(0);
    expect((await countingFsyncs(() => new Promise((resolve) => setTimeout(resolve, 100)))).fsyncs, 'nor later, off the request path').to.equal(0);

    const interval = make('interval');
    const logged = await countingFsyncs(() => records.forEach((record) => interval.log(record)));
    expect(logged.fsyncs).to.equal(0);
    // Within a few intervals: the open segment and, once, the directory naming it; then nothing until more is written.
    const later = await countingFsyncs(() => new Promise((resolve) => setTimeout(resolve, 150)));
    expect(later.fsyncs).to.equal(2);

    await Promise.all([always.close(), off.close(), interval.close()]);
    connection.disconnect();
  });
});
