import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LabelRecord } from '@vigil/records';
import { SqliteWriter } from '@vigil/stores';
import { startApi, type RunningApi } from '../src/start-api';
import { FIXTURE_MODEL_VERSION, predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { request } from '../../../test/support/http';
import { dropSchema, testConfig } from '../../../test/support/test-env';
import { requireTool } from '../../../test/support/tools';
import { metricsText, parseExposition, PROMTOOL_HINT, runPromtool, samplesOf, type Exposition } from '../../../test/e2e/metrics-exposition';

interface Figures {
  predictions: number;
  labeled: number;
  label_coverage: number | null;
  realized: Record<'precision' | 'recall' | 'f1' | 'roc_auc', number | null>;
  estimated: Record<'precision' | 'recall' | 'f1' | 'roc_auc', number | null>;
}

const METRICS = ['precision', 'recall', 'f1', 'roc_auc'] as const;
/** A version the API does not serve, with predictions but no label: its realized gauges must have no sample. */
const OLD_VERSION = 'fraud-detection-model@0.9.0';

/**
 * Rows for two model versions in the SQLite store the worker writes (its real writer, which keeps the
 * quality rollups): the served version with labels on half its rows, an older one without any.
 */
function writeStore(path: string, now: number): void {
  const writer = SqliteWriter.open(path);
  try {
    const served = predictionRecords(400, { start: 1, fromMs: now - 3 * 3_600_000, stepMs: 20_000 });
    const old = predictionRecords(60, { start: 5000, fromMs: now - 2 * 86_400_000, stepMs: 60_000, modelVersion: OLD_VERSION });
    writer.insertBatch([...served, ...old]);
    // Labels on every other served row: fraud on most predicted positives and on some predicted negatives,
    // so precision, recall, F1 and ROC AUC are all defined and none is 0 or 1.
    const labels: LabelRecord[] = served
      .filter((_, i) => i % 2 === 0)
      .map((record, i) => ({
        prediction_id: record.prediction_id,
        label: (record.prediction === 1 ? i % 5 !== 0 : i % 9 === 0) ? 1 : 0,
        labeled_at: new Date(now - 60_000).toISOString(),
        received_at: new Date(now - 60_000).toISOString(),
      }));
    writer.insertLabels(labels);
  } finally {
    writer.close();
  }
}

describe('vigil_quality_* gauges on /metrics', function () {
  this.timeout(60_000);

  describe('with the SQLite quality rollups', function () {
    let api: RunningApi;
    let exposition: Exposition;
    let text: string;
    let sqlitePath: string;

    before(async function () {
      const config = testConfig({ PREDICTION_LOGGING: 'off' });
      sqlitePath = config.sqlitePath;
      writeStore(config.sqlitePath, Date.now());
      api = await startApi(config);
      text = await metricsText(api.port);
      exposition = parseExposition(text);
    });
    after(async function () {
      await api?.close();
      if (sqlitePath !== undefined) rmSync(dirname(sqlitePath), { recursive: true, force: true });
    });

    const performance = async (version: string) => {
      const { status, body } = await request<Figures>(api.port, 'GET', `/monitoring/performance?window=7d&model_version=${encodeURIComponent(version)}`);
      expect(status, JSON.stringify(body)).to.equal(200);
      return body;
    };
    const gauge = (name: string, labels: Record<string, string>) =>
      samplesOf(exposition, name).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    it('equals GET /monitoring/performance?window=7d for each model version, figure by figure', async function () {
      const served = await performance(FIXTURE_MODEL_VERSION);
      expect(served.labeled, 'the fixture labels half the served rows').to.equal(200);
      for (const metric of METRICS) {
        for (const side of ['realized', 'estimated'] as const) {
          const expected = served[side][metric];
          expect(expected, `${side} ${metric} is defined for the fixture`).to.be.a('number');
          const samples = gauge(`vigil_quality_${side}`, { model_version: FIXTURE_MODEL_VERSION, metric });
          expect(samples, `${side} ${metric}`).to.have.length(1);
          expect(samples[0]!.labels).to.deep.equal({ model_version: FIXTURE_MODEL_VERSION, metric, window: '7d' });
          expect(samples[0]!.value, `${side} ${metric}`).to.equal(expected);
        }
      }
      expect(gauge('vigil_quality_label_coverage', { model_version: FIXTURE_MODEL_VERSION }).map((s) => s.value)).to.deep.equal([served.label_coverage]);
      expect(gauge('vigil_quality_labeled', { model_version: FIXTURE_MODEL_VERSION }).map((s) => s.value)).to.deep.equal([200]);
    });

    it('leaves out a figure that is undefined (no labels yet) instead of exporting NaN, and keeps the version’s other figures', async function () {
      const old = await performance(OLD_VERSION);
      expect(old).to.include({ predictions: 60, labeled: 0, label_coverage: 0 });
      expect(gauge('vigil_quality_realized', { model_version: OLD_VERSION })).to.deep.equal([]);
      expect(gauge('vigil_quality_labeled', { model_version: OLD_VERSION }).map((s) => s.value)).to.deep.equal([0]);
      expect(gauge('vigil_quality_label_coverage', { model_version: OLD_VERSION }).map((s) => s.value)).to.deep.equal([0]);
      for (const metric of METRICS) {
        const expected = old.estimated[metric];
        const samples = gauge('vigil_quality_estimated', { model_version: OLD_VERSION, metric });
        expect(
          samples.map((s) => s.value),
          `estimated ${metric}`,
        ).to.deep.equal(expected === null ? [] : [expected]);
      }
      const quality = exposition.samples.filter((s) => s.name.startsWith('vigil_quality_'));
      expect(quality.filter((s) => Number.isNaN(s.value))).to.deep.equal([]);
      expect(samplesOf(exposition, 'vigil_scrape_source_failures_total').find((s) => s.labels.source === 'quality')?.value).to.equal(0);
    });

    it('passes promtool check metrics', function () {
      requireTool(this, 'promtool', PROMTOOL_HINT);
      const result = runPromtool(['check', 'metrics'], text);
      expect(result.output).to.equal('');
      expect(result.status).to.equal(0);
    });
  });

  describe('with MONITORING_STORE=postgres, before any prediction reaches the audit', function () {
    let api: RunningApi;
    let schema: string;

    before(async function () {
      const config = testConfig({ PREDICTION_LOGGING: 'off', MONITORING_STORE: 'postgres' });
      schema = config.auditSchema;
      api = await startApi(config);
    });
    after(async function () {
      await api?.close();
      if (schema !== undefined) await dropSchema(schema);
    });

    it('declares the gauges without samples, and counts no failure', async function () {
      const exposition = parseExposition(await metricsText(api.port));
      for (const name of ['vigil_quality_realized', 'vigil_quality_estimated', 'vigil_quality_label_coverage', 'vigil_quality_labeled']) {
        expect(exposition.types.get(name), name).to.equal('gauge');
        expect(samplesOf(exposition, name), name).to.deep.equal([]);
      }
      expect(samplesOf(exposition, 'vigil_scrape_source_failures_total').find((s) => s.labels.source === 'quality')?.value).to.equal(0);
    });
  });
});
