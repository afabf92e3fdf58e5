import { expect } from 'chai';
import { gammaincc } from '@vigil/drift-stats';
import { Differences } from './support/differences';
import { vectors } from './support/vectors';

describe('gammaincc', function () {
  const differences = new Differences();
  after(function () {
    differences.report('gammaincc');
  });

  it('matches scipy.special.gammaincc to 1e-12 relative (a from 0.001 to 5000, x around a and far from it)', function () {
    for (const c of vectors.gammaincc) {
      differences.check('gammaincc', gammaincc(c.a, c.x), c.q, { relative: 1e-12, floor: 1e-300 }, `a=${c.a} x=${c.x}`);
    }
  });

  it('handles the ends of its domain as scipy does', function () {
    expect(gammaincc(2, 0)).to.equal(1);
    expect(gammaincc(0, 1)).to.equal(0);
    expect(gammaincc(2, Infinity)).to.equal(0);
    expect(gammaincc(-1, 1)).to.be.NaN;
    expect(gammaincc(1, -1)).to.be.NaN;
    // Q(1, x) = e^-x and Q(1/2, x) = erfc(√x).
    expect(gammaincc(1, 3)).to.be.closeTo(Math.exp(-3), 1e-16);
  });
});
