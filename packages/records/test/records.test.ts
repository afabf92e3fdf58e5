import { expect } from 'chai';
import { newPredictionId, recordProblem } from '@vigil/records';
import { predictionRecord as good } from '../../../test/support/fixtures/prediction-records';

describe('records', function () {
  it('assigns time-sortable ids', async function () {
    const first = newPredictionId();
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = newPredictionId();
    expect(first < second).to.equal(true);
  });

  it('says what is wrong with a record that cannot be stored, and nothing for a good one', function () {
    expect(recordProblem(good())).to.equal(undefined);
    expect(recordProblem({ ...good(), timestamp: '2026-11-27 13:37:22' })).to.equal('timestamp is not ISO 8601 UTC');
    expect(recordProblem({ ...good(), model_version: '' })).to.equal('model_version is empty');
    expect(recordProblem({ ...good(), features: [1] })).to.equal('features is not an object');
    expect(recordProblem({ ...good(), prediction: 2 })).to.equal('prediction is not 0 or 1');
    expect(recordProblem({ ...good(), latency_ms: Number.POSITIVE_INFINITY })).to.equal('latency_ms is not a finite number >= 0');
    expect(recordProblem([good()])).to.equal('not a record (an array)');
  });
});
