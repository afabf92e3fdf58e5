import { expect } from 'chai';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UnrecoverableError, type Job } from 'bullmq';
import { isPermanentError } from '@vigil/errors';
import { createLogger, createWorkerMetrics, type WorkerMetrics } from '@vigil/metrics';
import { deadLetterExhaustedJob, encodeLogBatch, logBatchHandler, type DeadLetter, type LogBatchJob, type LogBatchPayload } from '@vigil/queue';
import { openSqlite, SqliteInsertThread, SqliteReader, SqliteWriter, type SeqRangeRow } from '@vigil/stores';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';

type Letter = Omit<DeadLetter, 'dead_lettered_at' | 'source_queue'>;

/** The dead-letter queue as the handler sees it (`add`), kept in memory. */
class MemoryDeadLetters {
  readonly letters: Letter[] = [];
  async add(letter: Letter): Promise<string> {
    this.letters.push(letter);
    return `letter-${this.letters.length}`;
  }
}

/** The handler reads only a job's `id` and `data`: a plain value stands in for a job fetched from Redis. */
function job(data: unknown, id = 'job-1'): LogBatchJob {
  return { id, data: data as LogBatchPayload };
}

/** A handler over a real SQLite file of the test's own (or the writer given), an in-memory dead-letter queue and fresh metrics. */
function handlerOnFile(path: string, writer = SqliteWriter.open(path)) {
  const deadLetters = new MemoryDeadLetters();
  const metrics = createWorkerMetrics();
  let wakeUps = 0;
  const handle = logBatchHandler({
    sink: writer,
    deadLetters,
    metrics,
    logger: createLogger('worker', 'error', () => undefined),
    onWritten: () => (wakeUps += 1),
  });
  return { path, writer, deadLetters, metrics, handle, wakeUps: () => wakeUps };
}

/** prediction_ids in the file, in id order (read by a connection of its own). */
function storedIds(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT prediction_id FROM predictions ORDER BY prediction_id').pluck().all() as string[];
  } finally {
    db.close();
  }
}

async function counter(metric: WorkerMetrics['recordsWritten'] | WorkerMetrics['deadLettered'], labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get();
  const matches = (found: Readonly<Record<string, string | number | undefined>>) => Object.entries(labels).every(([k, value]) => found[k] === value);
  return values.find((v) => matches(v.labels))?.value ?? 0;
}

/** The file's sequence runs, as /monitoring/completeness reads them. */
async function seqRanges(path: string): Promise<SeqRangeRow[]> {
  const reader = SqliteReader.open(path);
  try {
    return await reader.seqRanges();
  } finally {
    await reader.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected the handler to throw');
}

describe('logBatchHandler (real SQLite, in-memory dead letters)', function () {
  const tempDir = useTempDirs();
  const dbPath = () => join(tempDir('log-batch'), 'm.db');

  it('writes a good batch once: handed the same batch again (a redelivery), it adds no row', async function () {
    const { path, writer, deadLetters, metrics, handle, wakeUps } = handlerOnFile(dbPath());
    const records = predictionRecords(20);
    expect(await handle(job(encodeLogBatch(records), 'first'))).to.deep.equal({ written: 20, rejected: 0 });
    expect(await handle(job(encodeLogBatch(records), 'redelivered'))).to.deep.equal({ written: 0, rejected: 0 });
    expect(storedIds(path)).to.deep.equal(records.map((r) => r.prediction_id));
    expect(deadLetters.letters).to.deep.equal([]);
    expect(await counter(metrics.recordsWritten, { store: 'sqlite' })).to.equal(20);
    expect(wakeUps()).to.equal(2);
    writer.close();
  });

  it('dead-letters a malformed record with its problem, and writes the rest of its batch', async function () {
    const { path, writer, deadLetters, metrics, handle } = handlerOnFile(dbPath());
    const [a, b, c] = predictionRecords(3);
    const malformed = { ...b!, probability: 2 };
    expect(await handle(job({ v: 1, records: [a, malformed, c] }, 'mixed'))).to.deep.equal({ written: 2, rejected: 1 });
    expect(storedIds(path)).to.deep.equal([a!.prediction_id, c!.prediction_id]);
    expect(deadLetters.letters).to.deep.equal([
      {
        kind: 'rejected-records',
        source_job_id: 'mixed',
        reason: 'probability is not in [0, 1]',
        problems: [{ index: 0, problem: 'probability is not in [0, 1]' }],
        records: [malformed],
      },
    ]);
    expect(await counter(metrics.deadLettered, { kind: 'rejected-records' })).to.equal(1);
    writer.close();
  });

  it('dead-letters an unreadable payload whole and throws UnrecoverableError, so BullMQ does not retry it', async function () {
    const { path, writer, deadLetters, handle, wakeUps } = handlerOnFile(dbPath());
    for (const [data, problem] of [
      [{ v: 99, records: predictionRecords(2) }, 'unsupported payload version 99'],
      ['not a payload', 'unsupported payload version undefined'],
      [{ v: 2, feature_names: [1], rows: [] }, 'version 2 payload is malformed'],
    ] as const) {
      deadLetters.letters.length = 0;
      const error = await rejection(handle(job(data, 'unreadable')));
      expect(error, problem).to.be.instanceOf(UnrecoverableError);
      expect((error as Error).message).to.equal(`log batch payload rejected: ${problem}`);
      expect(deadLetters.letters).to.deep.equal([
        { kind: 'rejected-records', source_job_id: 'unreadable', reason: problem, problems: [{ index: 0, problem }], records: [data] },
      ]);
    }
    expect(storedIds(path)).to.deep.equal([]);
    expect(wakeUps()).to.equal(0);
    writer.close();
  });

  it("dead-letters the one row SQLite refuses as store-rejected-records, with the store's message, and writes the others", async function () {
    const { path, writer, deadLetters, metrics, handle } = handlerOnFile(dbPath());
    // A trigger stands in for a store that refuses one valid-looking row (RAISE gives SQLITE_CONSTRAINT_TRIGGER).
    const db = new Database(path);
    db.exec(`CREATE TRIGGER refuse_999 BEFORE INSERT ON predictions WHEN NEW.latency_ms = 999 BEGIN SELECT RAISE(ABORT, 'refused by test'); END`);
    db.close();
    const records = predictionRecords(5, { each: (n) => (n === 3 ? { latency_ms: 999 } : {}) });
    expect(await handle(job(encodeLogBatch(records), 'refused'))).to.deep.equal({ written: 4, rejected: 0 });
    expect(storedIds(path)).to.deep.equal(records.filter((r) => r.latency_ms !== 999).map((r) => r.prediction_id));
    expect(deadLetters.letters).to.have.length(1);
    const [letter] = deadLetters.letters;
    expect(letter).to.deep.include({ kind: 'store-rejected-records', source_job_id: 'refused', reason: 'SQLite refused these records' });
    expect(letter!.problems).to.deep.equal([{ index: 0, problem: 'refused by test' }]);
    expect(letter!.records).to.deep.equal([records[3]]);
    expect(await counter(metrics.deadLettered, { kind: 'store-rejected-records' })).to.equal(1);
    writer.close();
  });

  it('rethrows any other store failure as it came, dead-lettering nothing, so BullMQ retries; the retry writes the batch', async function () {
    const path = dbPath();
    SqliteWriter.open(path).close(); // the schema, before the lock is taken
    const db = openSqlite(path);
    db.pragma('busy_timeout = 0'); // fail at once instead of waiting for the lock
    const { deadLetters, handle, wakeUps } = handlerOnFile(path, new SqliteWriter(db));
    const records = predictionRecords(4);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    let error: unknown;
    try {
      error = await rejection(handle(job(encodeLogBatch(records), 'busy')));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((error as { code?: string }).code).to.equal('SQLITE_BUSY');
    expect(isPermanentError(error)).to.equal(false);
    expect(error).to.not.be.instanceOf(UnrecoverableError);
    expect(deadLetters.letters).to.deep.equal([]);
    expect(wakeUps()).to.equal(0);
    // What BullMQ does next: the same job again, once the store is free.
    expect(await handle(job(encodeLogBatch(records), 'busy'))).to.deep.equal({ written: 4, rejected: 0 });
    expect(storedIds(path)).to.deep.equal(records.map((r) => r.prediction_id));
    db.close();
  });

  it('accounts for the records it dead-letters by instance and seq, and counts them stored once a replay writes them', async function () {
    const { path, writer, deadLetters, handle } = handlerOnFile(dbPath());
    const records = predictionRecords(4, { each: (_n, i) => ({ instance_id: 'api-a', seq: i + 1 }) });
    const broken = { ...records[2]!, probability: 2 };
    await handle(job(encodeLogBatch([records[0]!, records[1]!, broken, records[3]!]), 'with-broken'));
    expect(await seqRanges(path)).to.deep.equal([
      { instance_id: 'api-a', kind: 'dead_lettered', ranges: [[3, 3]] },
      {
        instance_id: 'api-a',
        kind: 'stored',
        ranges: [
          [1, 2],
          [4, 4],
        ],
      },
    ]);
    // What a replay does: the dead letter's records go back as a version 1 batch (here, fixed by a person).
    expect(deadLetters.letters[0]!.records).to.deep.equal([broken]);
    await handle(job({ v: 1, records: [{ ...broken, probability: 0.5 }] }, 'replay'));
    expect((await seqRanges(path)).find((row) => row.kind === 'stored')?.ranges).to.deep.equal([[1, 4]]);
    writer.close();
  });

  it('accounts for a batch that failed every attempt when it moves to the dead letters, and moves it even if that accounting fails', async function () {
    const { path, writer, deadLetters, metrics } = handlerOnFile(dbPath());
    const records = predictionRecords(3, { each: (_n, i) => ({ instance_id: 'api-a', seq: 10 + i }) });
    // What the worker's 'failed' event hands over: the fields deadLetterExhaustedJob reads of a BullMQ job.
    const exhausted = (id: string) =>
      ({ id, data: encodeLogBatch(records), attemptsMade: 12, opts: { attempts: 12 }, remove: async () => undefined }) as unknown as Job<LogBatchPayload>;
    const logger = createLogger('worker', 'error', () => undefined);
    await deadLetterExhaustedJob(deadLetters, metrics, logger, writer)(exhausted('failed-1'), new Error('SQLite is unwritable'));
    expect(await seqRanges(path)).to.deep.equal([{ instance_id: 'api-a', kind: 'dead_lettered', ranges: [[10, 12]] }]);
    const broken = {
      recordDeadLettered() {
        throw new Error('SQLite is unwritable');
      },
    };
    await deadLetterExhaustedJob(deadLetters, metrics, logger, broken)(exhausted('failed-2'), new Error('SQLite is unwritable'));
    expect(deadLetters.letters.map((letter) => [letter.kind, letter.source_job_id, letter.records.length])).to.deep.equal([
      ['failed-batch', 'failed-1', 3],
      ['failed-batch', 'failed-2', 3],
    ]);
    writer.close();
  });
});

describe("logBatchHandler with the worker's sink: the insert thread, dead-letter accounting in this thread", function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();

  /** The sink as startWorker builds it. */
  function threadedHandler() {
    const path = join(tempDir('log-batch-thread'), 'm.db');
    const writer = SqliteWriter.open(path);
    const inserts = new SqliteInsertThread(path);
    const deadLetters = new MemoryDeadLetters();
    const metrics = createWorkerMetrics();
    const handle = logBatchHandler({
      sink: {
        insertBatch: (records) => inserts.insertBatch(records),
        insertBatches: (batches) => inserts.insertBatches(batches),
        joinsBatches: true,
        recordDeadLettered: (records) => writer.recordDeadLettered(records),
      },
      deadLetters,
      metrics,
      logger: createLogger('worker', 'error', () => undefined),
    });
    const close = async () => {
      await inserts.close();
      writer.close();
    };
    return { path, deadLetters, metrics, handle, close };
  }

  it('writes batches handed over at once, each told its own rows; a redelivery adds none', async function () {
    const { path, handle, metrics, close } = threadedHandler();
    const batches = [0, 1, 2, 3].map((b) => predictionRecords(50, { start: b * 50, each: (_n, i) => ({ instance_id: 'api-t', seq: b * 50 + i + 1 }) }));
    const results = await Promise.all(batches.map((records, b) => handle(job(encodeLogBatch(records), `job-${b}`))));
    expect(results).to.deep.equal(batches.map(() => ({ written: 50, rejected: 0 })));
    expect(await handle(job(encodeLogBatch(batches[2]!), 'redelivered'))).to.deep.equal({ written: 0, rejected: 0 });
    expect(storedIds(path)).to.deep.equal(batches.flat().map((r) => r.prediction_id));
    expect(await seqRanges(path)).to.deep.equal([{ instance_id: 'api-t', kind: 'stored', ranges: [[1, 200]] }]);
    expect(await counter(metrics.recordsWritten, { store: 'sqlite' })).to.equal(200);
    await close();
  });

  it('dead-letters the row SQLite refuses on the thread as store-rejected-records, accounted for, and writes the others', async function () {
    const { path, deadLetters, handle, close } = threadedHandler();
    const db = new Database(path);
    db.exec(`CREATE TRIGGER refuse_999 BEFORE INSERT ON predictions WHEN NEW.latency_ms = 999 BEGIN SELECT RAISE(ABORT, 'refused by test'); END`);
    db.close();
    const records = predictionRecords(5, { each: (n, i) => ({ instance_id: 'api-t', seq: i + 1, ...(n === 3 ? { latency_ms: 999 } : {}) }) });
    expect(await handle(job(encodeLogBatch(records), 'refused'))).to.deep.equal({ written: 4, rejected: 0 });
    expect(storedIds(path)).to.deep.equal(records.filter((r) => r.latency_ms !== 999).map((r) => r.prediction_id));
    expect(deadLetters.letters.map((l) => [l.kind, l.problems, l.records])).to.deep.equal([
      ['store-rejected-records', [{ index: 0, problem: 'refused by test' }], [records[3]]],
    ]);
    expect(await seqRanges(path)).to.deep.equal([
      { instance_id: 'api-t', kind: 'dead_lettered', ranges: [[4, 4]] },
      {
        instance_id: 'api-t',
        kind: 'stored',
        ranges: [
          [1, 3],
          [5, 5],
        ],
      },
    ]);
    await close();
  });
});
