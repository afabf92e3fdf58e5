import { expect } from 'chai';
import { newPredictionId, recordProblem, recordSequence } from '@vigil/records';
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

  it('takes an instance id of 1-64 plain characters and a positive safe integer seq, each optional', function () {
    for (const instance_id of ['a', 'api-0193e1c2-7b', 'host_1.pod-2', 'x'.repeat(64)])
      expect(recordProblem({ ...good(), instance_id, seq: 1 }), instance_id).to.equal(undefined);
    expect(recordProblem({ ...good(), seq: Number.MAX_SAFE_INTEGER })).to.equal(undefined);
    expect(recordProblem({ ...good(), instance_id: 'api-a' })).to.equal(undefined);
    for (const instance_id of ['', 'x'.repeat(65), 'a b', 'a/b', 'ä', 7, null]) {
      expect(recordProblem({ ...good(), instance_id, seq: 1 }), String(instance_id)).to.equal('instance_id is not 1-64 of A-Z a-z 0-9 _ . -');
    }
    for (const seq of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, '1', null]) {
      expect(recordProblem({ ...good(), instance_id: 'api-a', seq }), String(seq)).to.equal('seq is not a positive safe integer');
    }
  });

  it('reads the instance and seq of a value that carries valid ones, however broken the rest', function () {
    expect(recordSequence({ instance_id: 'api-a', seq: 3, features: null })).to.deep.equal({ instance_id: 'api-a', seq: 3 });
    expect(recordSequence({ instance_id: 'api-a' })).to.equal(undefined);
    expect(recordSequence({ instance_id: 'a b', seq: 3 })).to.equal(undefined);
    expect(recordSequence({ instance_id: 'api-a', seq: 0 })).to.equal(undefined);
    expect(recordSequence(null)).to.equal(undefined);
    expect(recordSequence('api-a')).to.equal(undefined);
  });
});
