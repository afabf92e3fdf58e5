import { expect } from 'chai';
import { newPredictionId, parseLogBatch, type PredictionRecord } from '@vigil/prediction-log';

const good = (): PredictionRecord => ({
  prediction_id: newPredictionId(),
  timestamp: new Date().toISOString(),
  model_version: 'm@1',
  features: { amount: 1 },
  prediction: 0,
  probability: 0.25,
  latency_ms: 0.5,
});

describe('parseLogBatch', function () {
  it('keeps good records and reports each bad one by index', function () {
    const records = [good(), { ...good(), probability: 2 }, good(), { ...good(), prediction_id: 'x' }, null];
    const parsed = parseLogBatch({ v: 1, records });
    expect(parsed.records).to.have.length(2);
    expect(parsed.problems.map((p) => [p.index, p.problem])).to.deep.equal([
      [1, 'probability is not in [0, 1]'],
      [3, 'prediction_id is not a UUID'],
      [4, 'not an object'],
    ]);
  });

  it('rejects an unknown payload version whole', function () {
    expect(parseLogBatch({ v: 99, records: [good()] }).problems[0]?.problem).to.match(/unsupported payload version/);
    expect(parseLogBatch('junk').records).to.deep.equal([]);
  });

  it('assigns time-sortable ids', async function () {
    const first = newPredictionId();
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = newPredictionId();
    expect(first < second).to.equal(true);
  });
});
