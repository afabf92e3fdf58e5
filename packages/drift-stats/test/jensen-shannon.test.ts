import { expect } from 'chai';
import { DriftStatsError, jensenShannonDistance } from '@vigil/drift-stats';
import { Differences, STATISTIC } from './support/differences';
import { vectors } from './support/vectors';

describe('jensenShannonDistance', function () {
  const differences = new Differences();
  after(function () {
    differences.report('Jensen–Shannon');
  });

  for (const c of vectors.jensenShannon) {
    it(`[${c.p.slice(0, 4).join(', ')}${c.p.length > 4 ? ', …' : ''}] base ${c.base ?? 'e'}: matches scipy.spatial.distance.jensenshannon`, function () {
      const distance = jensenShannonDistance(c.p, c.q, c.base === null ? {} : { base: c.base });
      differences.check(`distance (base ${c.base ?? 'e'})`, distance, c.distance, STATISTIC, `p=[${c.p.slice(0, 4).join(',')}] base=${c.base}`);
    });
  }

  it('reaches its maximum, √ln 2 (natural log) or 1 (base 2), for disjoint supports', function () {
    expect(jensenShannonDistance([1, 0], [0, 1])).to.be.closeTo(Math.sqrt(Math.LN2), 1e-15);
    expect(jensenShannonDistance([1, 0], [0, 1], { base: 2 })).to.be.closeTo(1, 1e-15);
  });

  it('rejects a base of 1 and vectors of different lengths', function () {
    expect(() => jensenShannonDistance([1], [1], { base: 1 }))
      .to.throw(DriftStatsError)
      .with.property('code', 'INVALID_OPTION');
    expect(() => jensenShannonDistance([1, 2], [1]))
      .to.throw(DriftStatsError)
      .with.property('code', 'LENGTH_MISMATCH');
  });
});
