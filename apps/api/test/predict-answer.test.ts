import { expect } from 'chai';
import { predictAnswerSerializer, type PredictionResult } from '../src/routes/predict-answer';

/** The hand-written serializer must write what JSON.stringify writes, byte for byte, for every answer it can be given. */
describe('predictAnswerSerializer', function () {
  const results: PredictionResult[] = [
    {
      prediction_id: '0193b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d',
      model_version: 'fraud@1.2.0',
      prediction: 1,
      probability: 0.9876543212345678,
      latency_ms: 0.123456789,
    },
    { prediction_id: '0193b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6e', model_version: 'fraud@1.2.0', prediction: 0, probability: 1e-7, latency_ms: 12 },
    { prediction_id: '0193b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6f', model_version: 'fraud@1.2.0', prediction: 0, probability: 0, latency_ms: 1e21 },
    {
      prediction_id: '0193b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c70',
      model_version: 'fraud@1.2.0',
      prediction: 1,
      probability: Math.fround(0.3),
      latency_ms: Number.NaN,
    },
  ];

  it('writes one answer as JSON.stringify does', function () {
    const serializer = predictAnswerSerializer('fraud@1.2.0');
    for (const result of results) expect(serializer.one(result)).to.equal(JSON.stringify(result));
  });

  it('writes a batch as JSON.stringify does, and escapes a model version once', function () {
    const version = 'odd "name"\\ü\u2028@1';
    const serializer = predictAnswerSerializer(version);
    const batch = results.map((result) => ({ ...result, model_version: version }));
    expect(serializer.batch(batch)).to.equal(JSON.stringify({ model_version: version, predictions: batch }));
    expect(serializer.batch(batch.slice(0, 1))).to.equal(JSON.stringify({ model_version: version, predictions: batch.slice(0, 1) }));
    expect(JSON.parse(serializer.batch(batch))).to.have.property('model_version', version);
  });
});
