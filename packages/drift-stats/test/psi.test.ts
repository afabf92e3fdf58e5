import { expect } from 'chai';
import { DriftStatsError, EMPTY_BIN_SHARE, psi, psiFromCounts } from '@vigil/drift-stats';
import { Differences, STATISTIC } from './support/differences';
import { sample, vectors } from './support/vectors';

describe('psi', function () {
  const differences = new Differences();
  after(function () {
    differences.report('PSI');
  });

  for (const c of vectors.psi) {
    it(`${c.reference} vs ${c.current}, ${c.bins} bins: same edges, shares and value as numpy`, function () {
      const result = psi(sample(c.reference), sample(c.current), { bins: c.bins });
      expect(result.edges).to.deep.equal(c.edges);
      expect(result.referenceProportions).to.deep.equal(c.referenceProportions);
      expect(result.currentProportions).to.deep.equal(c.currentProportions);
      differences.check('psi', result.value, c.value, STATISTIC, `${c.reference} vs ${c.current}`);
    });
  }

  for (const c of vectors.psiFromCounts) {
    it(`psiFromCounts [${c.referenceCounts.join(', ')}] vs [${c.currentCounts.join(', ')}]`, function () {
      differences.check('psiFromCounts', psiFromCounts(c.referenceCounts, c.currentCounts).value, c.value, STATISTIC, c.referenceCounts.join(','));
    });
  }

  it('puts values on a cut point in the bin above and far values in the outer bins', function () {
    // Reference 0..10: quartile cuts at 2.5, 5, 7.5.
    const result = psi([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [-100, 5, 100], { bins: 4 });
    expect(result.edges).to.deep.equal([2.5, 5, 7.5]);
    expect(result.currentProportions).to.deep.equal([1 / 3, EMPTY_BIN_SHARE, 1 / 3, 1 / 3]);
  });

  it('is 0 when current matches reference', function () {
    const values = Array.from({ length: 100 }, (_, i) => Math.sin(i));
    expect(psi(values, values).value).to.equal(0);
  });

  it('rejects a bad bin count', function () {
    expect(() => psi([1, 2], [1, 2], { bins: 0 }))
      .to.throw(DriftStatsError)
      .with.property('code', 'INVALID_OPTION');
    expect(() => psi([1, 2], [1, 2], { bins: 2.5 }))
      .to.throw(DriftStatsError)
      .with.property('code', 'INVALID_OPTION');
  });
});
