import { expect } from 'chai';
import { queueNames } from '@vigil/queue';

describe('queueNames', function () {
  it('derives every name operators and older processes know, unchanged', function () {
    expect(queueNames('vigil-predictions')).to.deep.equal({
      log: 'vigil-predictions',
      deadLetter: 'vigil-predictions-dead-letter',
      alertEvaluations: 'vigil-predictions-alerts',
      notifications: 'vigil-predictions-notifications',
      requestCountPrefix: 'vigil:vigil-predictions',
      instances: 'vigil:vigil-predictions:instances',
      rateLimitPrefix: 'vigil:vigil-predictions:rate-limit',
    });
  });
});
