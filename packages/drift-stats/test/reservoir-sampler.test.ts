import { expect } from 'chai';
import { DriftStatsError, ReservoirSampler } from '@vigil/drift-stats';

describe('ReservoirSampler', function () {
  it('keeps everything until it is full, then exactly capacity values', function () {
    const sampler = new ReservoirSampler({ capacity: 5, seed: 1 });
    for (let i = 0; i < 3; i++) sampler.add(i);
    expect(sampler.sample()).to.deep.equal([0, 1, 2]);
    for (let i = 3; i < 1000; i++) sampler.add(i);
    expect(sampler.sample()).to.have.length(5);
    expect(sampler.seen).to.equal(1000);
    expect(new Set(sampler.sample()).size).to.equal(5);
  });

  it('gives the same sample for the same seed and a different one for another seed', function () {
    const run = (seed: number): number[] => {
      const sampler = new ReservoirSampler({ capacity: 20, seed });
      for (let i = 0; i < 10_000; i++) sampler.add(i);
      return sampler.sample();
    };
    expect(run(7)).to.deep.equal(run(7));
    expect(run(7)).to.not.deep.equal(run(8));
  });

  it('keeps each value with probability capacity/n (chi-squared over positions, 2,000 runs)', function () {
    const n = 50;
    const capacity = 10;
    const runs = 2000;
    const kept = new Array<number>(n).fill(0);
    for (let run = 0; run < runs; run++) {
      const sampler = new ReservoirSampler({ capacity, seed: run });
      for (let i = 0; i < n; i++) sampler.add(i);
      for (const value of sampler.sample()) kept[value]!++;
    }
    const expected = (runs * capacity) / n;
    const statistic = kept.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 49 degrees of freedom: the 99.9th percentile is about 86.
    expect(statistic).to.be.below(86);
  });

  it('returns a copy, not its internal array', function () {
    const sampler = new ReservoirSampler<string>({ capacity: 2 });
    sampler.add('a');
    sampler.sample().push('x');
    expect(sampler.sample()).to.deep.equal(['a']);
  });

  it('fails fast on a bad capacity or seed, naming the option', function () {
    expect(() => new ReservoirSampler({ capacity: 0 }))
      .to.throw(DriftStatsError, /capacity/)
      .with.property('code', 'INVALID_OPTION');
    expect(() => new ReservoirSampler({ capacity: 1.5 })).to.throw(DriftStatsError, /capacity/);
    expect(() => new ReservoirSampler({ capacity: 3, seed: 0.5 })).to.throw(DriftStatsError, /seed/);
  });
});
