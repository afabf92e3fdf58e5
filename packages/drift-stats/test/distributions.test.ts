import { expect } from 'chai';
import { gcd } from '../src/float-utils';
import { kolmogorovSf } from '../src/kolmogorov-n';
import { probOutsideBand, probOutsideSquare } from '../src/ks-exact';
import { smirnovSf } from '../src/smirnov';
import { Differences, PVALUE } from './support/differences';
import { plainProbOutsideBand } from './support/plain-band';
import { vectors } from './support/vectors';

// The distributions behind ks2Samp's p-values, checked one by one on grids
// that reach every branch (Ruben–Gambino ends, Durbin matrix, Pomeranz,
// Pelz–Good, Smirnov's sums and their approximations).
describe('KS distributions', function () {
  const differences = new Differences();
  after(function () {
    differences.report('KS distributions');
  });

  it('kolmogorovSf(n, x) matches scipy.stats.kstwo.sf(x, n)', function () {
    for (const c of vectors.kstwo) {
      differences.check('kstwo.sf', kolmogorovSf(c.n, c.x), c.sf, PVALUE, `n=${c.n} x=${c.x}`);
    }
  });

  it('smirnovSf(n, x) matches scipy.special.smirnov(n, x)', function () {
    for (const c of vectors.smirnov) {
      differences.check('smirnov', smirnovSf(c.n, c.x), c.sf, PVALUE, `n=${c.n} x=${c.x}`);
    }
  });

  it('the exact lattice-path probabilities match scipy’s private functions', function () {
    for (const c of vectors.ksExact) {
      const p = c.m === c.n ? probOutsideSquare(c.n, c.h) : probOutsideBand(c.m, c.n, gcd(c.m, c.n), c.h);
      differences.check(c.m === c.n ? 'prob outside square' : 'prob outside band', p, c.p, PVALUE, `m=${c.m} n=${c.n} h=${c.h}`);
    }
  });

  it('the wavefront band recursion returns the same double as the column-by-column one', function () {
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let compared = 0;
    for (let trial = 0; trial < 4000; trial++) {
      const limit = trial < 3000 ? 60 : 400;
      const m = 1 + Math.floor(random() * limit);
      const n = 1 + Math.floor(random() * limit);
      if (m === n) continue;
      const g = gcd(m, n);
      const h = 1 + Math.floor(random() * (m / g) * n);
      expect(Object.is(probOutsideBand(m, n, g, h), plainProbOutsideBand(m, n, g, h)), `m=${m} n=${n} h=${h}`).to.equal(true);
      compared++;
    }
    expect(compared).to.be.greaterThan(3500);
  });
});
