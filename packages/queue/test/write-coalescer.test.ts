import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPermanentError } from '@vigil/errors';
import { SqliteInsertThread, SqliteWriter } from '@vigil/stores';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { WriteCoalescer } from '../src/jobs/write-coalescer';

/** `count` records numbered from `start` (ids in that order). */
const records = (count: number, start: number) => predictionRecords(count, { start });

/** A coalescer over a real SQLite file that records the transactions it asked for. */
function coalescerOnFile(): { writer: SqliteWriter; coalescer: WriteCoalescer<PredictionRecord>; transactions: number[][] } {
  const writer = SqliteWriter.open(join(mkdtempSync(join(tmpdir(), 'coalesce-')), 'm.db'));
  const transactions: number[][] = [];
  const coalescer = new WriteCoalescer<PredictionRecord>((batches) => {
    transactions.push(batches.map((b) => b.length));
    return writer.insertBatches(batches);
  });
  return { writer, coalescer, transactions };
}

describe('WriteCoalescer', function () {
  it('writes batches handed over in the same turn in one transaction, and tells each its own new rows', async function () {
    const { writer, coalescer, transactions } = coalescerOnFile();
    const first = records(300, 0);
    expect(await coalescer.write(first)).to.equal(300);
    // A redelivered batch and a new one together: 0 new rows for the first, 200 for the second.
    const [again, fresh] = await Promise.all([coalescer.write(first), coalescer.write(records(200, 1000))]);
    expect([again, fresh]).to.deep.equal([0, 200]);
    expect(transactions).to.deep.equal([[300], [300, 200]]);
    expect(writer.unaudited(10_000)).to.have.length(500);
    writer.close();
  });

  it('when one batch holds a row SQLite refuses, writes the others alone and fails only that one', async function () {
    const { writer, coalescer, transactions } = coalescerOnFile();
    const bad = records(5, 2000);
    (bad[2] as { prediction: number }).prediction = 2; // the CHECK (prediction IN (0, 1)) refuses it
    const results = await Promise.allSettled([coalescer.write(records(10, 0)), coalescer.write(bad), coalescer.write(records(10, 100))]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    // The store names the refusal (the handler then writes that batch one record at a time).
    const refusal: unknown = (results[1] as PromiseRejectedResult).reason;
    expect(isPermanentError(refusal) && refusal.code).to.equal('STORE_REJECTED_DATA');
    expect(transactions).to.deep.equal([[10, 5, 10], [10], [5], [10]]);
    // Nothing of the refused batch was stored, all of the others.
    expect(writer.unaudited(100).map((row) => row.prediction_id)).to.deep.equal([...records(10, 0), ...records(10, 100)].map((r) => r.prediction_id));
    writer.close();
  });

  it('shares one transaction between label batches too, each told its own new versions', async function () {
    const writer = SqliteWriter.open(join(mkdtempSync(join(tmpdir(), 'coalesce-labels-')), 'm.db'));
    const transactions: number[][] = [];
    const coalescer = new WriteCoalescer<LabelRecord>((batches) => {
      transactions.push(batches.map((b) => b.length));
      return writer.insertLabelBatches(batches);
    });
    writer.insertBatch(records(30, 0));
    const labels = (from: number, count: number, label: 0 | 1): LabelRecord[] =>
      records(count, from).map((r) => ({
        prediction_id: r.prediction_id,
        label,
        labeled_at: '2026-12-01T00:00:00.000Z',
        received_at: '2026-12-01T00:00:01.000Z',
      }));
    expect(await coalescer.write(labels(0, 10, 1))).to.equal(10);
    // A resent batch (no new version) and a new one handed over together: one transaction, 0 and 20.
    const [resent, fresh] = await Promise.all([coalescer.write(labels(0, 10, 1)), coalescer.write(labels(10, 20, 0))]);
    expect([resent, fresh]).to.deep.equal([0, 20]);
    expect(transactions).to.deep.equal([[10], [10, 20]]);
    writer.close();
  });

  it('waits for a write that answers later (the insert thread), and falls back to each batch alone the same way', async function () {
    this.timeout(30_000);
    const path = join(mkdtempSync(join(tmpdir(), 'coalesce-')), 'm.db');
    SqliteWriter.open(path).close();
    const thread = new SqliteInsertThread(path);
    const transactions: number[][] = [];
    const coalescer = new WriteCoalescer<PredictionRecord>((batches) => {
      transactions.push(batches.map((b) => b.length));
      return thread.insertBatches(batches);
    });
    const bad = records(3, 3000).map((r, i) => (i === 1 ? { ...r, prediction: 7 as 0 } : r));
    const results = await Promise.allSettled([coalescer.write(records(40, 0)), coalescer.write(bad), coalescer.write(records(60, 100))]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : isPermanentError(r.reason)))).to.deep.equal([40, true, 60]);
    expect(transactions).to.deep.equal([[40, 3, 60], [40], [3], [60]]);
    await thread.close();
  });
});
