import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditShipper } from '@vigil/audit';
import { PostgresStore, SqliteWriter } from '@vigil/stores';
import { FIXTURE_EPOCH_MS, predictionRecords } from '../support/fixtures/prediction-records';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../support/test-env';

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'shipper-')), 'm.db');
}

// Without a Postgres (fake target, same loop): packages/audit/test/audit-shipper.test.ts.
describe('AuditShipper (SQLite to Postgres)', function () {
  const schema = `test_shipper_${process.pid}`;
  after(() => dropSchema(schema));

  it('ships a backlog with pages in flight side by side: every row exactly once, rollups exact, progress at the last id', async function () {
    const writer = SqliteWriter.open(tempDb());
    const written = predictionRecords(12_345);
    for (let i = 0; i < written.length; i += 500) writer.insertBatch(written.slice(i, i + 500));
    const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    const pages: number[] = [];
    const shipper = new AuditShipper(writer, store, { batchSize: 1000, parallelPages: 2, events: { shipped: (rows) => pages.push(rows) } });
    await shipper.drain();

    expect(pages.reduce((a, b) => a + b, 0)).to.equal(12_345);
    expect(pages).to.have.length(13);
    const ids = await queryPostgres<{ prediction_id: string }>(`SELECT prediction_id FROM "${schema}".predictions ORDER BY prediction_id`);
    expect(ids.map((row) => row.prediction_id)).to.deep.equal(written.map((r) => r.prediction_id));
    const [rollup] = await queryPostgres<{ fraud: string; non_fraud: string }>(
      `SELECT sum(fraud) AS fraud, sum(non_fraud) AS non_fraud FROM "${schema}".rollup_day`,
    );
    const fraud = written.filter((r) => r.prediction === 1).length;
    expect([Number(rollup!.fraud), Number(rollup!.non_fraud)]).to.deep.equal([fraud, 12_345 - fraud]);
    expect(writer.shippedThrough()).to.equal(12_345);
    expect(writer.auditBacklog().count).to.equal(0);

    // New rows after the drain ship next time, and only they.
    writer.insertBatch(predictionRecords(10, { start: 20_000, fromMs: FIXTURE_EPOCH_MS + 20_000 * 10 }));
    expect(writer.auditBacklog().count).to.equal(10);
    await shipper.drain();
    expect(writer.shippedThrough()).to.equal(12_355);
    const [count] = await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".predictions`);
    expect(Number(count!.n)).to.equal(12_355);
    writer.close();
    await store.close();
  });
});
