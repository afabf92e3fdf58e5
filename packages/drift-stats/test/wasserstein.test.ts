import { expect } from 'chai';
import { normalizedWassersteinDistance, wassersteinDistance } from '@vigil/drift-stats';
import { Differences, STATISTIC } from './support/differences';
import { sample, vectors } from './support/vectors';

describe('wassersteinDistance', function () {
  const differences = new Differences();
  after(function () {
    differences.report('Wasserstein');
  });

  for (const c of vectors.wasserstein) {
    it(`${c.reference} vs ${c.current}: matches scipy.stats.wasserstein_distance and Evidently's normed form`, function () {
      const reference = sample(c.reference);
      const current = sample(c.current);
      differences.check('distance', wassersteinDistance(reference, current), c.distance, STATISTIC, c.reference);
      differences.check('normalized', normalizedWassersteinDistance(reference, current), c.normalized, STATISTIC, c.reference);
    });
  }

  it('is 0 for identical samples and the gap for two points', function () {
    expect(wassersteinDistance([1, 2, 3], [3, 2, 1])).to.equal(0);
    expect(wassersteinDistance([0], [2.5])).to.equal(2.5);
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).to.equal(5); // scipy's docstring example
  });

  it('floors the reference spread at 0.001 for a constant reference', function () {
    expect(normalizedWassersteinDistance([2, 2, 2], [2, 2, 3])).to.be.closeTo(1 / 3 / 0.001, 1e-9);
  });
});
