import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { PredictionRecord } from '@vigil/records';
import { PostgresStore, runsOf } from '@vigil/stores';
import { predictionRecords } from '../support/fixtures/prediction-records';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../support/test-env';

/** Records numbered seq = from..from+count-1 by `instance`, with ids of their own per instance. */
function numbered(instance: number, from: number, count: number): PredictionRecord[] {
  return predictionRecords(count, { start: instance * 1_000_000 + from, each: (_n, i) => ({ instance_id: `api-${instance}`, seq: from + i }) });
}

describe('PostgresStore: sequence runs merged as pages commit', function () {
  const schema = `test_seq_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let store: PostgresStore;
  before(async function () {
    store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema, poolSize: 6 });
  });
  after(async function () {
    await store?.close();
    await dropSchema(schema);
  });

  it('keeps exactly the runs of the rows it holds while six pages of three instances commit at once (no deadlock, no lost merge)', async function () {
    // Each page holds a slice of every instance, so concurrent transactions lock the same three rows.
    const pages: PredictionRecord[][] = [];
    for (let page = 0; page < 12; page++) {
      const from = page * 50 + 1;
      if (page === 7) continue; // a page that never arrives: a gap in every instance
      pages.push([...numbered(1, from, 50), ...numbered(2, from, 50), ...numbered(3, from + 10, 40)]);
    }
    pages.push(pages[2]!); // a page re-shipped after a timeout
    for (let round = 0; round < pages.length; round += 6) {
      await Promise.all(pages.slice(round, round + 6).map((page) => store.insertBatch([...page].reverse())));
    }
    const rows = await queryPostgres<{ instance_id: string; seq: string }>(
      `SELECT instance_id, seq FROM "${schema}".predictions WHERE instance_id IS NOT NULL`,
    );
    const exact = new Map<string, number[]>();
    for (const row of rows) exact.set(row.instance_id, [...(exact.get(row.instance_id) ?? []), Number(row.seq)]);
    const stored = (await store.seqRanges()).filter((row) => row.kind === 'stored');
    expect(stored.map((row) => [row.instance_id, row.ranges])).to.deep.equal(
      [...exact].sort(([a], [b]) => a.localeCompare(b)).map(([id, seqs]) => [id, runsOf(seqs)]),
    );
    expect(stored.find((row) => row.instance_id === 'api-1')?.ranges).to.deep.equal([
      [1, 350],
      [401, 600],
    ]);
  });

  it('merges dead-lettered runs from several hosts at once into their union', async function () {
    await Promise.all(
      [1, 2, 3, 4].map((host) =>
        store.mergeSeqRanges('dead_lettered', [
          { instance_id: 'api-9', ranges: [[host * 10, host * 10 + 4]] },
          { instance_id: 'api-8', ranges: [[host, host]] },
        ]),
      ),
    );
    const dead = (await store.seqRanges()).filter((row) => row.kind === 'dead_lettered');
    expect(dead.map((row) => [row.instance_id, row.ranges])).to.deep.equal([
      ['api-8', [[1, 4]]],
      [
        'api-9',
        [
          [10, 14],
          [20, 24],
          [30, 34],
          [40, 44],
        ],
      ],
    ]);
  });

  it('copies instance_id and seq into the rows, and leaves them null for older records', async function () {
    const older = predictionRecords(1, { start: 9_000_000 })[0]!;
    await store.insertBatch([older]);
    const rows = await queryPostgres<{ prediction_id: string; instance_id: string | null; seq: string | null }>(
      `SELECT prediction_id, instance_id, seq FROM "${schema}".predictions WHERE prediction_id = ANY($1::uuid[])`,
      [[older.prediction_id, numbered(1, 1, 1)[0]!.prediction_id]],
    );
    const byId = new Map(rows.map((r) => [r.prediction_id, [r.instance_id, r.seq === null ? null : Number(r.seq)]]));
    expect(byId.get(older.prediction_id)).to.deep.equal([null, null]);
    expect(byId.get(numbered(1, 1, 1)[0]!.prediction_id)).to.deep.equal(['api-1', 1]);
    const recent = await store.recentPredictions(10_000);
    expect(recent.find((p) => p.prediction_id === older.prediction_id)).to.not.have.any.keys('instance_id', 'seq');
  });
});
