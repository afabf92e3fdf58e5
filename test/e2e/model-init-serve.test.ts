import { expect } from 'chai';
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@vigil/config';
import { DEFAULT_DRIFT_CONFIG, type DriftReport } from '@vigil/drift';
import { initModel, loadModelSpec, type FeatureRecord } from '@vigil/model';
import { startApi } from '../../apps/api/src/start-api';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { testConfig, waitFor } from '../support/test-env';

const FIXTURE = 'packages/model/test/fixtures/models/sklearn-logreg-zipmap';

interface Expected {
  readonly instances: FeatureRecord[];
  readonly probabilities: number[];
}

/** A folder as a user brings it: model.onnx, and what `model init` wrote beside it (the spec and reference.json), nothing else. */
async function initializedFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-own-model-'));
  copyFileSync(join(FIXTURE, 'model.onnx'), join(dir, 'model.onnx'));
  const own = loadModelSpec(join(FIXTURE, 'model.spec.json'));
  const categories = new Map(own.features.flatMap((feature) => (feature.type === 'categorical' ? [[feature.name, feature.categories] as const] : [])));
  // The sample stays in the fixture folder: the served folder ends up with exactly the three files.
  await initModel({ modelPath: join(dir, 'model.onnx'), samplePath: join(FIXTURE, 'sample.csv'), categories });
  return dir;
}

describe('serving a model brought with model init: MODEL_PATH is all it takes', function () {
  this.timeout(120_000);
  let dir: string;
  let stack: Stack | undefined;
  before(async function () {
    dir = await initializedFolder();
  });
  after(async function () {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds reference.json beside the model, uses the built-in drift defaults and starts without a quality reference', async function () {
    expect(readdirSync(dir).sort()).to.deep.equal(['model.onnx', 'model.spec.json', 'reference.json']);
    const config = testConfig({ MODEL_PATH: join(dir, 'model.onnx') });
    expect(config).to.include({
      modelSpecPath: join(dir, 'model.spec.json'),
      referencePath: join(dir, 'reference.json'),
      driftConfigPath: join(dir, 'drift.config.json'),
      qualityReferencePath: join(dir, 'quality-reference.json'),
      driftConfigPathGiven: false,
      qualityReferencePathGiven: false,
    });
    stack = await startStack(config);
    const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
    const predicted = await request<{ predictions: { probability: number }[] }>(stack.api.port, 'POST', '/predict', { instances: expected.instances });
    expect(predicted.status).to.equal(200);
    predicted.body.predictions.forEach((p, i) => expect(p.probability).to.be.closeTo(expected.probabilities[i]!, 1e-5));
    const refused = await request<{ error: { code: string } }>(stack.api.port, 'POST', '/predict', { features: { ...expected.instances[0], amount: -5 } });
    expect(refused.status).to.equal(422);

    const db = new Database(config.sqlitePath, { readonly: true });
    try {
      await waitFor('50 rows in SQLite', () => ((db.prepare('SELECT count(*) FROM predictions').pluck().get() as number) >= 50 ? true : undefined), 30_000);
    } finally {
      db.close();
    }
    const drift = await request<DriftReport>(stack.api.port, 'GET', '/monitoring/drift?window=1h');
    expect(drift.status, JSON.stringify(drift.body)).to.equal(200);
    expect(drift.body.reference).to.deep.equal({ model_version: 'model@1.0.0', rows: 200 });
    expect(drift.body.sample.rows_compared).to.equal(50);
    expect(drift.body.features.map((feature) => feature.feature)).to.deep.equal([
      'amount',
      'amount_to_avg_ratio',
      'distance_km',
      'tx_count_24h',
      'card_present',
      'merchant_type',
    ]);
    // The 50 requests are the sample's first rows: drawn from the reference itself, no drift.
    expect(drift.body.dataset.drift).to.equal(false);

    const performance = await request<{ predictions: number; estimated: { rows: number; precision: null; tp: null; unavailable: string } }>(
      stack.api.port,
      'GET',
      '/monitoring/performance?window=1h',
    );
    expect(performance.status).to.equal(200);
    expect(performance.body.predictions).to.equal(50);
    expect(performance.body.estimated).to.include({ rows: 50, precision: null, tp: null });
    expect(performance.body.estimated.unavailable).to.match(/^no quality reference at .*quality-reference\.json \(QUALITY_REFERENCE_PATH is unset/);
  });

  it('still stops start-up when DRIFT_CONFIG_PATH or QUALITY_REFERENCE_PATH names a missing file', async function () {
    const missing = join(dir, 'nowhere.json');
    const base = { MODEL_PATH: join(dir, 'model.onnx'), PREDICTION_LOGGING: 'off' };
    for (const [variable, code] of [
      ['DRIFT_CONFIG_PATH', 'DRIFT_CONFIG_INVALID'],
      ['QUALITY_REFERENCE_PATH', 'INVALID_REFERENCE'],
    ] as const) {
      let failure: (Error & { code?: string }) | undefined;
      try {
        const api = await startApi(testConfig({ ...base, [variable]: missing }));
        await api.close();
      } catch (error) {
        failure = error as Error & { code?: string };
      }
      expect(failure?.code, variable).to.equal(code);
      expect(failure?.message).to.include(missing);
    }
  });

  it('keeps the defaults of the repository model (artifacts/), and the built-in drift defaults are artifacts/drift.config.json', function () {
    expect(loadConfig({})).to.include({
      referencePath: 'artifacts/reference.json',
      driftConfigPath: 'artifacts/drift.config.json',
      qualityReferencePath: 'artifacts/quality-reference.json',
    });
    expect(loadConfig({ MODEL_PATH: 'model.onnx', REFERENCE_PATH: 'elsewhere/ref.json' })).to.include({
      referencePath: 'elsewhere/ref.json',
      driftConfigPath: 'drift.config.json',
    });
    const { $comment: _comment, ...file } = JSON.parse(readFileSync('artifacts/drift.config.json', 'utf8')) as Record<string, unknown>;
    expect(DEFAULT_DRIFT_CONFIG).to.deep.equal(file);
  });
});
