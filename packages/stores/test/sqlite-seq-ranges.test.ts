import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { PredictionRecord } from '@vigil/records';
import { runsOf, SqliteReader, SqliteWriter, type SeqRangeRow } from '@vigil/stores';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { SQLITE_MIGRATIONS } from '../src/sqlite/migrations';

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'seq-ranges-')), 'm.db');
}

/** Records n..n+count-1 of the fixture, numbered seq = n by `instance`. */
function numbered(instance: string, from: number, count: number, idBase = 0): PredictionRecord[] {
  return predictionRecords(count, { start: idBase + from, each: (n) => ({ instance_id: instance, seq: n - idBase }) });
}

/** The exact answer: the runs of the (instance, seq) of the rows really in the file. */
function exactRuns(path: string): Map<string, [number, number][]> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT instance_id, seq FROM predictions WHERE instance_id IS NOT NULL ORDER BY instance_id').all() as {
      instance_id: string;
      seq: number;
    }[];
    const byInstance = new Map<string, number[]>();
    for (const row of rows) byInstance.set(row.instance_id, [...(byInstance.get(row.instance_id) ?? []), row.seq]);
    return new Map([...byInstance].map(([id, seqs]) => [id, runsOf(seqs) as [number, number][]]));
  } finally {
    db.close();
  }
}

async function rangesOf(path: string, kind: SeqRangeRow['kind']): Promise<Map<string, readonly (readonly [number, number])[]>> {
  const reader = SqliteReader.open(path);
  try {
    return new Map((await reader.seqRanges()).filter((row) => row.kind === kind).map((row) => [row.instance_id, row.ranges]));
  } finally {
    await reader.close();
  }
}

describe('SqliteWriter: stored and dead-lettered sequence runs', function () {
  it('keeps, per instance, exactly the runs of the rows it holds: batches out of order, redelivered, lost, and sharing a transaction', async function () {
    const path = tempDb();
    const writer = SqliteWriter.open(path);
    // Instance a: 1-50 in batches of 10, delivered 3, 1, 5, then 2 twice; batch 4 (31-40) never arrives.
    const a = [1, 11, 21, 31, 41].map((from) => numbered('api-a', from, 10));
    writer.insertBatch(a[2]!);
    writer.insertBatch(a[0]!);
    writer.insertBatches([a[4]!, numbered('api-b', 1, 5, 1000)]);
    writer.insertBatch(a[1]!);
    expect(writer.insertBatch(a[1]!)).to.equal(0); // redelivered: no new row, no change
    writer.insertBatch(predictionRecords(3, { start: 5000 })); // records from before instances numbered theirs
    writer.close();
    const stored = await rangesOf(path, 'stored');
    expect([...stored]).to.deep.equal([...exactRuns(path)]);
    expect(stored.get('api-a')).to.deep.equal([
      [1, 30],
      [41, 50],
    ]);
    expect(stored.get('api-b')).to.deep.equal([[1, 5]]);
  });

  it("merges the runs in the rows' own transaction: rows and runs commit together or not at all", async function () {
    const path = tempDb();
    const writer = SqliteWriter.open(path);
    writer.insertBatch(numbered('api-a', 1, 5));
    // A row SQLite refuses rolls the batch back before any run is merged.
    const refused = [...numbered('api-a', 6, 5)];
    refused[2] = { ...refused[2]!, prediction: 2 as 0 };
    expect(() => writer.insertBatch(refused)).to.throw();
    expect((await rangesOf(path, 'stored')).get('api-a')).to.deep.equal([[1, 5]]);
    // And a merge that fails (runs that cannot be read) takes the batch's rows back with it.
    const other = new Database(path);
    other.prepare("UPDATE seq_ranges SET ranges = 'not json' WHERE instance_id = 'api-a'").run();
    expect(() => writer.insertBatch(numbered('api-a', 6, 5))).to.throw();
    expect(other.prepare('SELECT count(*) FROM predictions').pluck().get()).to.equal(5);
    other.close();
    writer.close();
  });

  it('accounts for dead-lettered records by instance and seq, and hands each change to the audit shipper once', async function () {
    const path = tempDb();
    const writer = SqliteWriter.open(path);
    writer.recordDeadLettered([{ instance_id: 'api-a', seq: 7, probability: 9 }, { instance_id: 'api-a', seq: 8 }, { junk: true }, 'junk']);
    expect(writer.unshippedDeadLettered()).to.deep.equal([{ instance_id: 'api-a', ranges: [[7, 8]], version: 1 }]);
    writer.markDeadLetteredShipped(writer.unshippedDeadLettered());
    expect(writer.unshippedDeadLettered()).to.deep.equal([]);
    writer.recordDeadLettered([{ instance_id: 'api-a', seq: 8 }]); // again: nothing changes, nothing to ship
    expect(writer.unshippedDeadLettered()).to.deep.equal([]);
    writer.recordDeadLettered([{ instance_id: 'api-a', seq: 12 }]);
    expect(writer.unshippedDeadLettered()).to.deep.equal([
      {
        instance_id: 'api-a',
        ranges: [
          [7, 8],
          [12, 12],
        ],
        version: 2,
      },
    ]);
    writer.close();
    expect((await rangesOf(path, 'dead_lettered')).get('api-a')).to.deep.equal([
      [7, 8],
      [12, 12],
    ]);
  });

  it('keeps the runs when retention prunes the rows (like the rollups)', async function () {
    const path = tempDb();
    const writer = SqliteWriter.open(path);
    writer.insertBatch(numbered('api-a', 1, 20));
    expect(writer.pruneBefore('2100-01-01T00:00:00.000Z', false, 1000)).to.equal(19); // never the newest row
    writer.close();
    expect((await rangesOf(path, 'stored')).get('api-a')).to.deep.equal([[1, 20]]);
  });

  it('migration 7 leaves existing rows without an instance, and the writer and reader carry the two fields', async function () {
    const path = tempDb();
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version <= 6)) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(migration.version, new Date().toISOString());
    }
    db.prepare(
      'INSERT INTO predictions (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms) ' +
        "VALUES ('p-old', '2026-01-01T00:00:00.000Z', 'm@1', '{}', 0, 0.1, 1)",
    ).run();
    db.close();
    const writer = SqliteWriter.open(path);
    writer.insertBatch(numbered('api-a', 1, 1));
    const audit = writer.unauditedForAudit(10);
    writer.close();
    expect(audit.map((row) => [row.prediction_id, row.instance_id, row.seq])).to.deep.equal([
      ['p-old', null, null],
      [numbered('api-a', 1, 1)[0]!.prediction_id, 'api-a', 1],
    ]);
    const reader = SqliteReader.open(path);
    const recent = await reader.recentPredictions(10);
    await reader.close();
    const byId = new Map(recent.map((p) => [p.prediction_id, p]));
    expect(byId.get('p-old')).to.not.have.any.keys('instance_id', 'seq');
    expect(byId.get(numbered('api-a', 1, 1)[0]!.prediction_id)).to.include({ instance_id: 'api-a', seq: 1 });
  });
});
