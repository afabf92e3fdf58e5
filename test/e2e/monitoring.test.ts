import { expect } from 'chai';
import type { PredictionRecord } from '@vigil/records';
import { PostgresStore, SqliteWriter } from '@vigil/stores';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import { MONITORING_FIXTURE_EXPECTED, monitoringFixture } from '../support/fixtures/prediction-records';
import { request } from '../support/http';
import { dropSchema, testConfig } from '../support/test-env';

// The fixture and its answers (computed with numpy): test/support/fixtures/prediction-records.ts.
const EXPECTED = MONITORING_FIXTURE_EXPECTED;

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`monitoring endpoints reading from ${store}`, function () {
    let api: RunningApi;
    let schema: string;
    let records: PredictionRecord[];

    before(async function () {
      const config = testConfig({ MONITORING_STORE: store, PREDICTION_LOGGING: 'off' });
      schema = config.auditSchema;
      records = monitoringFixture(Date.now());
      const writer = SqliteWriter.open(config.sqlitePath);
      writer.insertBatch(records);
      writer.close();
      const postgres = await PostgresStore.open({ connectionString: config.auditDatabaseUrl!, schema });
      await postgres.insertBatch(records);
      await postgres.close();
      api = await startApi(config);
    });
    after(async function () {
      await api?.close();
      await dropSchema(schema);
    });

    for (const window of ['1h', '24h'] as const) {
      it(`gives the latency percentiles numpy gives, over ${window}`, async function () {
        const { status, body } = await request<Record<string, number>>(api.port, 'GET', `/monitoring/latency?window=${window}`);
        expect(status).to.equal(200);
        const expected = EXPECTED[window];
        expect(body.count).to.equal(expected.count);
        // Percentiles come from rollup histograms: within 1% of the exact value. Mean and max are exact.
        for (const key of ['p50', 'p95', 'p99'] as const) expect(body[key], key).to.be.closeTo(expected[key], expected[key] * 0.01);
        for (const key of ['mean', 'max'] as const) expect(body[key], key).to.be.closeTo(expected[key], 1e-9);
      });

      it(`counts fraud and non-fraud over ${window}`, async function () {
        const { status, body } = await request<Record<string, number>>(api.port, 'GET', `/monitoring/distribution?window=${window}`);
        expect(status).to.equal(200);
        const expected = EXPECTED[window];
        expect(body).to.include({ fraud: expected.fraud, non_fraud: expected.non_fraud, total: expected.fraud + expected.non_fraud });
        expect(body.fraud_rate).to.be.closeTo(expected.fraud / (expected.fraud + expected.non_fraud), 1e-12);
      });
    }

    it('answers an empty window with count 0 and nulls', async function () {
      const { body } = await request<Record<string, unknown>>(api.port, 'GET', '/monitoring/latency?window=1m');
      expect(body).to.deep.equal({ window: '1m', count: 0, p50: null, p95: null, p99: null, mean: null, max: null });
    });

    it('filters by model_version', async function () {
      const other = await request<Record<string, unknown>>(api.port, 'GET', '/monitoring/distribution?window=24h&model_version=another@1');
      expect(other.body).to.include({ total: 0 });
      const same = await request<Record<string, unknown>>(api.port, 'GET', '/monitoring/distribution?window=24h&model_version=fraud-detection-model@fixture');
      expect(same.body).to.include({ total: 120 });
    });

    it('lists the most recent predictions newest first, with every stored field', async function () {
      const { status, body } = await request<{ count: number; predictions: Record<string, unknown>[] }>(api.port, 'GET', '/monitoring/predictions?limit=5');
      expect(status).to.equal(200);
      expect(body.count).to.equal(5);
      const newestFirst = [...records].sort((a, b) => b.timestamp.localeCompare(a.timestamp)).slice(0, 5);
      expect(body.predictions.map((p) => p.prediction_id)).to.deep.equal(newestFirst.map((r) => r.prediction_id));
      const first = body.predictions[0]!;
      expect(Object.keys(first).sort()).to.deep.equal([
        'created_at',
        'features',
        'id',
        'latency_ms',
        'model_version',
        'prediction',
        'prediction_id',
        'probability',
        'timestamp',
      ]);
      expect(first).to.deep.include({ ...newestFirst[0], features: newestFirst[0]!.features });
    });
  });
}
