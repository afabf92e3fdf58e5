import { expect } from 'chai';
import { chiSquare, DriftStatsError } from '@vigil/drift-stats';
import { Differences, PVALUE, STATISTIC } from './support/differences';
import { vectors } from './support/vectors';

describe('chiSquare', function () {
  const differences = new Differences();
  after(function () {
    differences.report('chiSquare');
  });

  for (const c of vectors.chiSquare) {
    it(`${c.label}: matches scipy.stats.chi2_contingency(correction=False)`, function () {
      const result = chiSquare(c.referenceCounts, c.currentCounts);
      expect(result.dof).to.equal(c.dof);
      differences.check('statistic', result.statistic, c.statistic, STATISTIC, c.label);
      differences.check('pvalue', result.pvalue, c.pvalue, PVALUE, c.label);
    });
  }

  it('gives statistic 0 and p-value 1 when only one category is used', function () {
    expect(chiSquare([5, 0, 0], [9, 0, 0])).to.deep.equal({ statistic: 0, dof: 0, pvalue: 1 });
  });

  it('rejects mismatched, negative and all-zero counts', function () {
    expect(() => chiSquare([1, 2], [1, 2, 3]))
      .to.throw(DriftStatsError)
      .with.property('code', 'LENGTH_MISMATCH');
    expect(() => chiSquare([1, -2], [1, 2]))
      .to.throw(DriftStatsError)
      .with.property('code', 'INVALID_VALUE');
    expect(() => chiSquare([0, 0], [1, 2]))
      .to.throw(DriftStatsError)
      .with.property('code', 'EMPTY_INPUT');
  });
});
