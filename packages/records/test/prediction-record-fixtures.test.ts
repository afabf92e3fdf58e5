import { expect } from 'chai';
import { findFeatureProblems, loadModelSpec } from '@vigil/model';
import { recordProblem } from '@vigil/records';
import {
  fixtureFeatures,
  fixtureId,
  FIXTURE_MODEL_VERSION,
  monitoringFixture,
  predictionRecord,
  predictionRecords,
} from '../../../test/support/fixtures/prediction-records';

// The shared test records (test/support/fixtures/prediction-records.ts): if they were not valid,
// every test built on them would be testing the refusal of bad data instead of what it says.
describe('prediction-record fixtures', function () {
  const spec = loadModelSpec('artifacts/model.spec.json');

  it('build records every store accepts, with features the served model accepts', function () {
    const records = [predictionRecord(), ...predictionRecords(500), ...monitoringFixture(Date.now())];
    for (const record of records) {
      expect(recordProblem(record), record.prediction_id).to.equal(undefined);
      expect(findFeatureProblems(spec, record.features, 'features'), record.prediction_id).to.deep.equal([]);
    }
    expect(predictionRecord().model_version).to.equal(spec.model_version).and.equal(FIXTURE_MODEL_VERSION);
  });

  it('give the same records for the same arguments, ids in numbering order, features varying with the number', function () {
    expect(predictionRecords(50, { start: 7, fromMs: 1_000_000, stepMs: -3 })).to.deep.equal(
      predictionRecords(50, { start: 7, fromMs: 1_000_000, stepMs: -3 }),
    );
    const ids = predictionRecords(300, { start: 4090 }).map((r) => r.prediction_id);
    expect(ids).to.deep.equal([...ids].sort());
    expect(new Set(ids).size).to.equal(300);
    expect(ids[0]).to.equal(fixtureId(4090));
    const distinct = new Set(Array.from({ length: 100 }, (_, n) => JSON.stringify(fixtureFeatures(n))));
    expect(distinct.size).to.equal(100);
    // Every category of the spec turns up, and both values of every boolean.
    for (const feature of spec.features) {
      const seen = new Set(Array.from({ length: 400 }, (_, n) => fixtureFeatures(n)[feature.name]));
      if (feature.type === 'categorical') expect([...seen].sort(), feature.name).to.deep.equal([...feature.categories].sort());
      if (feature.type === 'boolean') expect(seen.size, feature.name).to.equal(2);
    }
  });

  it('predict on the side of the threshold their probability is on, and lay timestamps out as asked', function () {
    const records = predictionRecords(100, { fromMs: Date.UTC(2026, 0, 1), stepMs: 1000 });
    for (const record of records) expect(record.prediction, record.prediction_id).to.equal(record.probability >= spec.threshold ? 1 : 0);
    expect(records.filter((r) => r.prediction === 1)).to.have.length(15);
    expect(records[0]!.timestamp).to.equal('2026-01-01T00:00:00.000Z');
    expect(records[99]!.timestamp).to.equal('2026-01-01T00:01:39.000Z');
    expect(predictionRecords(2, { each: (n, i) => ({ latency_ms: n * 10 + i }) }).map((r) => r.latency_ms)).to.deep.equal([0, 11]);
  });
});
