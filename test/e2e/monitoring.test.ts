import { expect } from 'chai';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { PostgresStore, SqliteWriter, storedLabelId } from '@vigil/stores';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import { MONITORING_FIXTURE_EXPECTED, monitoringFixture } from '../support/fixtures/prediction-records';
import { request } from '../support/http';
import { dropSchema, testConfig } from '../support/test-env';

// The fixture and its answers (computed with numpy): test/support/fixtures/prediction-records.ts.
const EXPECTED = MONITORING_FIXTURE_EXPECTED;

/** Labels for the first 60 of the last hour's rows (truth: every 8th, and n ending in 5), 10 minutes after each, plus one for an id never predicted. */
function fixtureLabels(records: readonly PredictionRecord[], now: number): LabelRecord[] {
  const labeled = records.slice(0, 60).map((r, i) => ({
    prediction_id: r.prediction_id,
    label: (i + 1) % 8 === 0 || (i + 1) % 10 === 5 ? (1 as const) : (0 as const),
    labeled_at: new Date(Date.parse(r.timestamp) + 600_000).toISOString(),
    received_at: new Date(now).toISOString(),
  }));
  return [...labeled, { prediction_id: 'never-predicted', label: 1, labeled_at: new Date(now).toISOString(), received_at: new Date(now).toISOString() }];
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`monitoring endpoints reading from ${store}`, function () {
    let api: RunningApi;
    let schema: string;
    let records: PredictionRecord[];
    let labels: LabelRecord[];

    before(async function () {
      const config = testConfig({ MONITORING_STORE: store, PREDICTION_LOGGING: 'off' });
      schema = config.auditSchema;
      const now = Date.now();
      records = monitoringFixture(now);
      labels = fixtureLabels(records, now);
      const writer = SqliteWriter.open(config.sqlitePath);
      writer.insertBatch(records);
      // Labels only in the store under test: the quality figures below then show which store answered.
      if (store === 'sqlite') writer.insertLabels(labels);
      writer.close();
      const postgres = await PostgresStore.open({ connectionString: config.auditDatabaseUrl!, schema });
      await postgres.insertBatch(records);
      if (store === 'postgres') await postgres.insertLabelVersions(labels.map((l) => ({ ...l, label_id: storedLabelId(l), version: 1 })));
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

    it(`answers GET /monitoring/performance and its timeline from ${store}, with the labels written there`, async function () {
      const { status, body } = await request<Record<string, unknown> & { realized: Record<string, number> }>(
        api.port,
        'GET',
        '/monitoring/performance?window=24h',
      );
      expect(status).to.equal(200);
      const truth = new Map(labels.map((l) => [l.prediction_id, l.label]));
      const count = (prediction: 0 | 1, label: 0 | 1) => records.filter((r) => r.prediction === prediction && truth.get(r.prediction_id) === label).length;
      expect(body).to.include({ predictions: 120, labeled: 60, label_coverage: 0.5 });
      expect(body.realized).to.include({ tp: count(1, 1), fp: count(1, 0), tn: count(0, 0), fn: count(0, 1) });
      const timeline = await request<{ buckets: { predictions: number; labeled: number }[] }>(
        api.port,
        'GET',
        '/monitoring/performance/timeline?window=24h&bucket=1h',
      );
      expect(timeline.status).to.equal(200);
      expect(timeline.body.buckets.reduce((sum, b) => sum + b.labeled, 0)).to.equal(60);
      const unmatched = await request<{ count: number; labels: { prediction_id: string }[] }>(api.port, 'GET', '/monitoring/labels/unmatched');
      expect(unmatched.status).to.equal(200);
      expect(unmatched.body.count).to.equal(1);
      expect(unmatched.body.labels.map((l) => l.prediction_id)).to.deep.equal(['never-predicted']);
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
