import { expect } from 'chai';
import { PostgresStore } from '@vigil/stores';
import { fixtureId, predictionRecord } from '../support/fixtures/prediction-records';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../support/test-env';

describe('PostgresStore COPY path', function () {
  const schema = `test_copy_${process.pid}`;
  after(() => dropSchema(schema));

  it('keeps tabs, newlines, backslashes and unicode intact, and is idempotent on a re-shipped batch', async function () {
    const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    try {
      const awkward = { note: 'tab\there\nnew line \\ back\\slash \r "quoted" ünïcödé 🚀', n: 1.5e-7, flag: true };
      const record = (i: number) =>
        predictionRecord({
          prediction_id: fixtureId(i),
          timestamp: '2026-11-26T10:00:00.123Z',
          model_version: 'model\\with\ttab@1',
          features: awkward,
          prediction: 1,
          probability: 0.123456789012345,
          latency_ms: 0.000123,
        });
      expect(await store.insertBatch([record(1), record(2)])).to.equal(2);
      // One new row among old ones: the duplicate path adds just the new one.
      expect(await store.insertBatch([record(1), record(2), record(3)])).to.equal(1);
      const rows = await queryPostgres<{ model_version: string; features: unknown; probability: number; latency_ms: number; timestamp: Date }>(
        `SELECT model_version, features, probability, latency_ms, timestamp FROM "${schema}".predictions ORDER BY prediction_id`,
      );
      expect(rows).to.have.length(3);
      for (const row of rows) {
        expect(row.model_version).to.equal('model\\with\ttab@1');
        expect(row.features).to.deep.equal(awkward);
        expect(row.probability).to.equal(0.123456789012345);
        expect(row.latency_ms).to.equal(0.000123);
        expect(row.timestamp.toISOString()).to.equal('2026-11-26T10:00:00.123Z');
      }
      const summary = await store.summarySince(0);
      expect(summary.fraud).to.equal(3); // rolled up once each, re-shipped rows not again
    } finally {
      await store.close();
    }
  });
});
