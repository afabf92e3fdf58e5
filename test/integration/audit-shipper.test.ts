import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditShipper } from '@vigil/audit';
import type { PredictionRecord } from '@vigil/records';
import { PostgresStore, SqliteWriter } from '@vigil/stores';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../support/test-env';

function records(count: number, start: number): PredictionRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    prediction_id: `01900000-0000-7000-8000-${(start + i).toString(16).padStart(12, '0')}`,
    timestamp: new Date(Date.UTC(2026, 10, 27, 10, 0, 0) + (start + i) * 10).toISOString(),
    model_version: 'm@1',
    features: { amount: start + i },
    prediction: (start + i) % 7 === 0 ? 1 : 0,
    probability: ((start + i) % 100) / 100,
    latency_ms: 0.5 + ((start + i) % 50) / 10,
  }));
}

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'shipper-')), 'm.db');
}

// Without a Postgres (fake target, same loop): packages/audit/test/audit-shipper.test.ts.
describe('AuditShipper (SQLite to Postgres)', function () {
  const schema = `test_shipper_${process.pid}`;
  after(() => dropSchema(schema));

  it('ships a backlog with pages in flight side by side: every row exactly once, rollups exact, progress at the last id', async function () {
    const writer = SqliteWriter.open(tempDb());
    const written = records(12_345, 0);
    for (let i = 0; i < written.length; i += 500) writer.insertBatch(written.slice(i, i + 500));
    const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    const pages: number[] = [];
    const shipper = new AuditShipper(writer, store, { batchSize: 1000, parallelPages: 2, events: { shipped: (rows) => pages.push(rows) } });
    await shipper.drain();

    expect(pages.reduce((a, b) => a + b, 0)).to.equal(12_345);
    expect(pages).to.have.length(13);
    const ids = await queryPostgres<{ prediction_id: string }>(`SELECT prediction_id FROM "${schema}".predictions ORDER BY prediction_id`);
    expect(ids.map((row) => row.prediction_id)).to.deep.equal(written.map((r) => r.prediction_id));
    const [rollup] = await queryPostgres<{ fraud: string; non_fraud: string }>(`SELECT sum(fraud) AS fraud, sum(non_fraud) AS non_fraud FROM "${schema}".rollup_day`);
    const fraud = written.filter((r) => r.prediction === 1).length;
    expect([Number(rollup!.fraud), Number(rollup!.non_fraud)]).to.deep.equal([fraud, 12_345 - fraud]);
    expect(writer.shippedThrough()).to.equal(12_345);
    expect(writer.auditBacklog().count).to.equal(0);

    // New rows after the drain ship next time, and only they.
    writer.insertBatch(records(10, 20_000));
    expect(writer.auditBacklog().count).to.equal(10);
    await shipper.drain();
    expect(writer.shippedThrough()).to.equal(12_355);
    const [count] = await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".predictions`);
    expect(Number(count!.n)).to.equal(12_355);
    writer.close();
    await store.close();
  });
});
