import { expect } from 'chai';
import { DriftStatsError, ks2Samp } from '@vigil/drift-stats';
import { mulberry32 } from '../src/mulberry32';
import { Differences, PVALUE, STATISTIC } from './support/differences';
import { sample, vectors } from './support/vectors';

/** Seeded standard normals (Box–Muller), so timings run on the same data every time. */
function normals(count: number, seed: number, shift = 0): Float64Array {
  const next = mulberry32(seed);
  const uniform = (): number => (next() + 0.5) / 4294967296;
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = shift + Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return values;
}

/** Median wall time of a few runs, in ms. */
function medianMs(runs: number, run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

describe('ks2Samp', function () {
  const differences = new Differences();
  after(function () {
    differences.report('ks2Samp');
  });

  describe(`against scipy ${vectors.generator.scipy} stats.ks_2samp`, function () {
    for (const c of vectors.ks) {
      it(`${c.label}: statistic, p-value and method`, function () {
        const result = ks2Samp(sample(c.reference), sample(c.current), { method: c.method });
        differences.check('statistic', result.statistic, c.statistic, STATISTIC, c.label);
        differences.check(`pvalue (${c.methodUsed})`, result.pvalue, c.pvalue, PVALUE, c.label);
        expect(result.method).to.equal(c.methodUsed);
      });
    }
  });

  describe('edge cases', function () {
    it('gives statistic 0 and p-value 1 for identical samples, whatever the method', function () {
      const values = [3, 1, 4, 1, 5, 9, 2, 6];
      for (const method of ['auto', 'exact', 'asymp'] as const) {
        const result = ks2Samp(values, [...values].reverse(), { method });
        expect(result.statistic, method).to.equal(0);
        expect(result.pvalue, method).to.equal(1);
      }
    });

    it('gives statistic 1 and p-value 2/C(n1+n2, n1) for disjoint samples (exact)', function () {
      const result = ks2Samp([1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12]);
      expect(result.statistic).to.equal(1);
      expect(result.method).to.equal('exact');
      expect(result.pvalue).to.be.closeTo(2 / 792, 1e-18);

      const equalSizes = ks2Samp([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(equalSizes.statistic).to.equal(1);
      expect(equalSizes.pvalue).to.be.closeTo(2 / 184756, 1e-18);
    });

    it('handles one value per sample: D = 1 and, exactly, p = 1 (asymp has n = round(0.5) = 0, so NaN, as scipy)', function () {
      expect(ks2Samp([1], [2])).to.deep.equal({ statistic: 1, pvalue: 1, method: 'exact' });
      expect(ks2Samp([1], [1])).to.deep.equal({ statistic: 0, pvalue: 1, method: 'exact' });
      const asymp = ks2Samp([1], [2], { method: 'asymp' });
      expect(asymp.statistic).to.equal(1);
      expect(asymp.pvalue).to.be.NaN;
    });

    it('takes one value against many', function () {
      const result = ks2Samp([0.5], [0.1, 0.2, 0.3, 0.4, 0.6, 0.7]);
      expect(result.statistic).to.be.closeTo(2 / 3, 1e-15);
      expect(result.method).to.equal('exact');
    });

    it('rejects empty samples, NaN and an unknown method with DriftStatsError codes', function () {
      expect(() => ks2Samp([], [1]))
        .to.throw(DriftStatsError)
        .with.property('code', 'EMPTY_INPUT');
      expect(() => ks2Samp([1, Number.NaN], [1]))
        .to.throw(DriftStatsError)
        .with.property('code', 'INVALID_VALUE');
      expect(() => ks2Samp([1], [Infinity]))
        .to.throw(DriftStatsError)
        .with.property('code', 'INVALID_VALUE');
      // @ts-expect-error: not a method
      expect(() => ks2Samp([1], [2], { method: 'fast' }))
        .to.throw(DriftStatsError)
        .with.property('code', 'INVALID_OPTION');
    });

    it('does not reorder the caller’s arrays', function () {
      const reference = [3, 1, 2];
      ks2Samp(reference, [0, 5]);
      expect(reference).to.deep.equal([3, 1, 2]);
    });
  });

  describe('speed', function () {
    it('runs 100,000 vs 5,000 values (asymp) well under 100 ms', function () {
      const reference = normals(100_000, 1);
      const current = normals(5_000, 2, 0.02);
      ks2Samp(reference, current); // warm up the JIT
      const ms = medianMs(5, () => ks2Samp(reference, current));
      const result = ks2Samp(reference, current);
      console.log(
        `      ks2Samp 100k vs 5k (${result.method}): median ${ms.toFixed(1)} ms, D=${result.statistic.toFixed(5)}, p=${result.pvalue.toExponential(3)}`,
      );
      expect(ms).to.be.below(100);
    });

    it('keeps the exact path fast at n = 10,000', function () {
      const cases: [string, Float64Array, Float64Array][] = [
        ['10000 vs 10000 normal, shift 0.03 (square formula)', normals(10_000, 3), normals(10_000, 4, 0.03)],
        ['10000 vs 9999 normal, shift 0.03 (band recursion)', normals(10_000, 5), normals(9_999, 6, 0.03)],
        ['10000 vs 9999 normal, shift 0.5 (band recursion, large D)', normals(10_000, 7), normals(9_999, 8, 0.5)],
        ['10000 vs 9999 arithmetic, D≈0.3 (vectors case)', sample('far-ref-10000'), sample('far-cur-9999')],
        ['10000 vs 9000 normal, shift 0.04 (vectors case)', sample('edge-ref-10000'), sample('edge-cur-9000')],
      ];
      for (const [label, reference, current] of cases) {
        ks2Samp(reference, current);
        const ms = medianMs(3, () => ks2Samp(reference, current));
        const result = ks2Samp(reference, current);
        expect(result.method).to.equal('exact');
        console.log(`      ks2Samp exact ${label}: median ${ms.toFixed(1)} ms, D=${result.statistic.toFixed(5)}, p=${result.pvalue.toExponential(3)}`);
        expect(ms, label).to.be.below(1000);
      }
    });
  });
});
