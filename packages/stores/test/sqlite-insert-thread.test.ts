import { expect } from 'chai';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isPermanentError } from '@vigil/errors';
import type { PredictionRecord } from '@vigil/records';
import { SqliteInsertThread, SqliteWriter } from '@vigil/stores';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';

/** Every table a prediction insert writes, row by row (created_at aside: it is the clock's), read by a connection of its own. */
function contents(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).raw().all();
    return {
      predictions: all(
        `SELECT id, prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, instance_id, seq, trace_id
         FROM predictions ORDER BY id`,
      ),
      shadow_predictions: all('SELECT prediction_id, model_version, timestamp, prediction, probability, latency_ms FROM shadow_predictions ORDER BY id'),
      rollup_minute: all('SELECT * FROM rollup_minute ORDER BY 1, 2'),
      rollup_hour: all('SELECT * FROM rollup_hour ORDER BY 1, 2'),
      rollup_day: all('SELECT * FROM rollup_day ORDER BY 1, 2'),
      quality_pending: all('SELECT level, key, model_version, derives, hex(cells) FROM quality_pending ORDER BY id'),
      seq_ranges: all('SELECT * FROM seq_ranges ORDER BY 1, 2'),
      labels: all('SELECT prediction_id, label FROM labels ORDER BY 1'),
      labels_unmatched: all('SELECT prediction_id FROM labels_unmatched ORDER BY 1'),
    };
  } finally {
    db.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected the write to fail');
}

describe('SqliteInsertThread: prediction inserts on a thread of their own', function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();

  /** A migrated file, as the worker has it before it starts the thread. */
  function storeFile(name = 'm.db'): string {
    const path = join(tempDir('insert-thread'), name);
    SqliteWriter.open(path).close();
    return path;
  }

  it('writes exactly what the writer in this thread writes: rows, rollups, quality lists, seq runs, label joins', async function () {
    const viaThread = storeFile('thread.db');
    const inProcess = storeFile('direct.db');
    // Over several minutes and two versions, numbered by two instances, with a shadow score, a trace id, and a label that came first.
    const batches: PredictionRecord[][] = [0, 1, 2].map((b) =>
      predictionRecords(300, {
        start: b * 300,
        stepMs: 700,
        fromMs: Date.UTC(2026, 10, 27, 10, 0, 0) + b * 300 * 700,
        each: (n, i) => ({
          instance_id: b === 1 ? 'api-b' : 'api-a',
          seq: b === 1 ? i + 1 : n + 1,
          ...(n % 3 === 0 ? { model_version: 'challenger@2' } : {}),
          ...(n % 50 === 0 ? { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' } : {}),
        }),
      }),
    );
    batches[2]!.push({ ...batches[2]![0]!, role: 'shadow', model_version: 'shadow@1', probability: 0.25, prediction: 0 });
    for (const path of [viaThread, inProcess]) {
      const writer = SqliteWriter.open(path);
      writer.insertLabels([
        { prediction_id: batches[1]![5]!.prediction_id, label: 1, labeled_at: '2026-11-27T12:00:00.000Z', received_at: '2026-11-27T12:00:00.000Z' },
      ]);
      writer.close();
    }

    // One request a transaction, so both files see the same transactions (the sums of floats in the rollups depend on the grouping).
    const thread = new SqliteInsertThread(viaThread, { maxBatchesPerTransaction: 1 });
    // All at once: each caller still hears its own batches' new rows.
    const counts = await Promise.all([
      thread.insertBatches([batches[0]!]),
      thread.insertBatches([batches[1]!, batches[2]!]),
      thread.insertBatches([batches[0]!]),
    ]);
    await thread.close();
    const direct = SqliteWriter.open(inProcess);
    const directCounts = [direct.insertBatches([batches[0]!]), direct.insertBatches([batches[1]!, batches[2]!]), direct.insertBatches([batches[0]!])];
    direct.close();

    expect(counts).to.deep.equal([[300], [300, 301], [0]]);
    expect(counts).to.deep.equal(directCounts);
    const [threaded, reference] = [contents(viaThread), contents(inProcess)];
    expect(threaded.predictions).to.have.length(900);
    expect(threaded.shadow_predictions).to.have.length(1);
    expect(threaded.labels).to.deep.equal([[batches[1]![5]!.prediction_id, 1]]);
    expect(threaded.labels_unmatched).to.deep.equal([]);
    for (const table of Object.keys(reference)) expect(threaded[table], table).to.deep.equal(reference[table]);
    expect(Object.keys(threaded)).to.deep.equal(Object.keys(reference));
  });

  it('fails only the request whose row SQLite refuses, with a PermanentError, and writes the ones it shared a transaction with', async function () {
    const path = storeFile();
    // A trigger stands in for a store that refuses one valid-looking row (RAISE gives SQLITE_CONSTRAINT_TRIGGER).
    const db = new Database(path);
    db.exec(`CREATE TRIGGER refuse_999 BEFORE INSERT ON predictions WHEN NEW.latency_ms = 999 BEGIN SELECT RAISE(ABORT, 'refused by test'); END`);
    db.close();
    const good = predictionRecords(10);
    const refused = predictionRecords(3, { start: 10, each: (n) => (n === 11 ? { latency_ms: 999 } : {}) });
    const more = predictionRecords(10, { start: 20 });
    const thread = new SqliteInsertThread(path, { maxBatchesPerTransaction: 8 });
    const [first, second, third] = await Promise.allSettled([thread.insertBatches([good]), thread.insertBatches([refused]), thread.insertBatches([more])]);
    await thread.close();
    expect(first).to.deep.equal({ status: 'fulfilled', value: [10] });
    expect(third).to.deep.equal({ status: 'fulfilled', value: [10] });
    expect(second.status).to.equal('rejected');
    const error = (second as PromiseRejectedResult).reason as Error;
    expect(isPermanentError(error), String(error)).to.equal(true);
    expect(error.message).to.equal('refused by test');
    expect(contents(path).predictions).to.have.length(20);
  });

  it('a thread that cannot open its file fails the writes in flight with a retryable error, and the process carries on', async function () {
    // A folder is not a database file: the thread dies opening it.
    const thread = new SqliteInsertThread(tempDir('not-a-file'));
    const error = await rejection(thread.insertBatches([predictionRecords(2)]));
    expect(isPermanentError(error)).to.equal(false);
    expect((error as Error).message)
      .to.be.a('string')
      .and.not.equal('');
    // The next write starts a thread again (and fails the same way here, the folder being no better).
    expect(isPermanentError(await rejection(thread.insertBatches([predictionRecords(2)])))).to.equal(false);
    await thread.close();
    expect(((await rejection(thread.insertBatches([predictionRecords(1)]))) as Error).message).to.equal('the SQLite insert thread is closed');
  });
});
