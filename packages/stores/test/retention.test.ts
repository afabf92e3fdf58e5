import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteReader, SqliteWriter } from '@vigil/stores';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';

const DAY = 86_400_000;

/** `count` non-fraud records numbered from `start`, the first `ageMs` old, each 1 ms older than the one before. */
function records(count: number, ageMs: number, start: number) {
  return predictionRecords(count, { start, fromMs: Date.now() - ageMs, stepMs: -1, each: () => ({ prediction: 0, probability: 0.1 }) });
}

describe('retention (SqliteWriter.pruneBefore)', function () {
  it('deletes old audited rows in batches, never an unaudited one nor the newest row, and keeps the rollups', async function () {
    const path = join(mkdtempSync(join(tmpdir(), 'retention-')), 'm.db');
    const writer = SqliteWriter.open(path);
    const old = records(5000, 10 * DAY, 0);
    const recent = records(100, DAY, 100_000);
    writer.insertBatch(old);
    writer.insertBatch(recent);
    // The audit has received all but the last 300 old rows (and the recent ones).
    const stored = writer.unaudited(100_000);
    expect(stored.map((row) => row.prediction_id)).to.deep.equal([...old, ...recent].map((r) => r.prediction_id));
    writer.markShippedThrough(stored[4699]!.id);
    expect(writer.unaudited(100_000)).to.have.length(400);

    const cutoff = new Date(Date.now() - 7 * DAY).toISOString();
    const deletedPerBatch: number[] = [];
    for (;;) {
      const deleted = writer.pruneBefore(cutoff, true, 1000);
      deletedPerBatch.push(deleted);
      if (deleted < 1000) break;
    }
    expect(deletedPerBatch).to.deep.equal([1000, 1000, 1000, 1000, 700]);
    const db = new Database(path, { readonly: true });
    const left = db.prepare('SELECT prediction_id FROM predictions ORDER BY prediction_id').pluck().all() as string[];
    db.close();
    expect(left).to.deep.equal([...old.slice(4700), ...recent].map((r) => r.prediction_id).sort());

    // Without an audit there is nothing to wait for: the unaudited old rows go too.
    expect(writer.pruneBefore(cutoff, false, 10_000)).to.equal(300);

    // Every row old and audited: all go but the newest, whose id keeps new ids above the audit's progress.
    const later = records(10, 10 * DAY, 200_000);
    writer.insertBatch(later);
    const newest = writer.unaudited(100_000).at(-1)!;
    writer.markShippedThrough(newest.id);
    expect(writer.pruneBefore(cutoff, true, 10_000)).to.equal(9);
    writer.insertBatch(records(1, 0, 300_000));
    const unshipped = writer.unaudited(10);
    expect(unshipped.map((row) => row.prediction_id)).to.deep.equal(records(1, 0, 300_000).map((r) => r.prediction_id));
    expect(unshipped[0]!.id).to.be.greaterThan(newest.id);
    writer.close();

    // The long-range history stays in the rollups.
    const reader = SqliteReader.open(path);
    const summary = await reader.summarySince(Math.floor((Date.now() - 30 * DAY) / 60_000));
    expect(summary.non_fraud).to.equal(5111);
    await reader.close();
  });
});
