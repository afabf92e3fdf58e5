import { expect } from 'chai';
import { benjaminiHochberg, bonferroni, DriftStatsError } from '@vigil/drift-stats';
import { Differences, STATISTIC } from './support/differences';
import { vectors } from './support/vectors';

describe('multiple-testing corrections', function () {
  const differences = new Differences();
  after(function () {
    differences.report('multiple testing');
  });

  for (const c of vectors.multipleTesting) {
    it(`${c.label}: same rejections and adjusted p-values as statsmodels (numpy re-implementation)`, function () {
      const bf = bonferroni(c.pvalues, c.alpha);
      const bh = benjaminiHochberg(c.pvalues, c.alpha);
      expect(bf.reject).to.deep.equal(c.bonferroni.reject);
      expect(bh.reject).to.deep.equal(c.benjaminiHochberg.reject);
      c.bonferroni.adjusted.forEach((expected, i) => differences.check('bonferroni adjusted', bf.adjusted[i]!, expected, STATISTIC, c.label));
      c.benjaminiHochberg.adjusted.forEach((expected, i) => differences.check('BH adjusted', bh.adjusted[i]!, expected, STATISTIC, c.label));
    });
  }

  it('lets Benjamini–Hochberg reject a p-value above its own threshold when a larger one passes (step-up)', function () {
    // 0.04 > 0.05·3/4, but 0.045 <= 0.05·4/4 rescues everything below it.
    expect(benjaminiHochberg([0.01, 0.02, 0.04, 0.045], 0.05).reject).to.deep.equal([true, true, true, true]);
  });

  it('rejects p-values outside [0, 1] and alpha outside (0, 1)', function () {
    expect(() => bonferroni([0.5, 1.2]))
      .to.throw(DriftStatsError)
      .with.property('code', 'INVALID_VALUE');
    expect(() => benjaminiHochberg([0.5], 1))
      .to.throw(DriftStatsError)
      .with.property('code', 'INVALID_OPTION');
  });
});
