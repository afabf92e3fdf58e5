import { expect } from 'chai';
import { countRanges, maxSeq, mergeRanges, parseRanges, runsByInstance, runsOf, subtractRanges, type SeqRange } from '@vigil/stores';
import { seededUniform as random } from '../../../test/support/prng';

/** Every number the runs hold, the exact answer the runs stand for. */
function expand(ranges: readonly SeqRange[]): number[] {
  return ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i));
}

/** Sorted, disjoint and not adjacent: the one form the stores keep. */
function expectCanonical(ranges: readonly SeqRange[]): void {
  ranges.forEach(([from, to], i) => {
    expect(from, JSON.stringify(ranges)).to.be.at.most(to);
    if (i > 0) expect(from, JSON.stringify(ranges)).to.be.greaterThan(ranges[i - 1]![1] + 1);
  });
}

/**
 * Batches as workers see them: contiguous runs of an instance's numbers,
 * cut at random, some lost (never delivered), some delivered twice, and
 * delivered in a shuffled order.
 */
function deliveries(rand: () => number, served: number): { batches: number[][]; delivered: Set<number> } {
  const batches: number[][] = [];
  for (let seq = 1; seq <= served;) {
    const size = 1 + Math.floor(rand() * 20);
    batches.push(Array.from({ length: Math.min(size, served - seq + 1) }, (_, i) => seq + i));
    seq += size;
  }
  const kept = batches.filter(() => rand() > 0.1);
  const twice = kept.filter(() => rand() < 0.1);
  const shuffled = [...kept, ...twice].map((b) => ({ b, k: rand() })).sort((x, y) => x.k - y.k);
  return { batches: shuffled.map(({ b }) => b), delivered: new Set(kept.flat()) };
}

describe('sequence runs', function () {
  it('turns numbers in any order, with repeats, into sorted, disjoint, non-adjacent runs', function () {
    expect(runsOf([5, 3, 4, 4, 9, 1, 10, 12])).to.deep.equal([
      [1, 1],
      [3, 5],
      [9, 10],
      [12, 12],
    ]);
    expect(runsOf([])).to.deep.equal([]);
  });

  it('merges out-of-order batches, duplicates and gaps into exactly the numbers delivered (against the exact set, 200 histories)', function () {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = random(seed);
      const served = 1 + Math.floor(rand() * 600);
      const { batches, delivered } = deliveries(rand, served);
      let ranges: SeqRange[] = [];
      for (const batch of batches) ranges = mergeRanges(ranges, runsOf(batch));
      expectCanonical(ranges);
      expect(expand(ranges), `seed ${seed}`).to.deep.equal([...delivered].sort((a, b) => a - b));
      expect(countRanges(ranges), `seed ${seed}`).to.equal(delivered.size);
      const upTo = Math.floor(rand() * served);
      expect(countRanges(ranges, upTo), `seed ${seed}`).to.equal([...delivered].filter((s) => s <= upTo).length);
      expect(maxSeq(ranges)).to.equal(delivered.size === 0 ? 0 : Math.max(...delivered));
    }
  });

  it('subtracts one set of runs from another exactly (against the exact sets, 200 pairs)', function () {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = random(1000 + seed);
      const pick = () => runsOf(Array.from({ length: Math.floor(rand() * 60) }, () => 1 + Math.floor(rand() * 80)));
      const a = pick();
      const b = pick();
      const difference = subtractRanges(a, b);
      expectCanonical(difference);
      const inB = new Set(expand(b));
      expect(expand(difference), `seed ${seed}`).to.deep.equal(expand(a).filter((s) => !inB.has(s)));
    }
    expect(
      subtractRanges(
        [
          [1, 10],
          [20, 30],
        ],
        [
          [3, 4],
          [8, 22],
          [30, 40],
        ],
      ),
    ).to.deep.equal([
      [1, 2],
      [5, 7],
      [23, 29],
    ]);
  });

  it('groups values by instance, leaving out those without a valid instance and seq', function () {
    const runs = runsByInstance([
      { instance_id: 'api-b', seq: 2 },
      { instance_id: 'api-a', seq: 2 },
      { instance_id: 'api-a', seq: 1 },
      { instance_id: 'api-a', seq: 4 },
      { instance_id: 'api-a' },
      { seq: 3 },
      { instance_id: 'bad id', seq: 3 },
      { instance_id: 'api-a', seq: -3 },
      null,
    ]);
    expect([...runs]).to.deep.equal([
      ['api-b', [[2, 2]]],
      [
        'api-a',
        [
          [1, 2],
          [4, 4],
        ],
      ],
    ]);
  });

  it('reads stored runs back, refusing anything that is not a list of [from, to] pairs', function () {
    expect(parseRanges('[[1,5],[7,7]]')).to.deep.equal([
      [1, 5],
      [7, 7],
    ]);
    expect(parseRanges([[2, 3]])).to.deep.equal([[2, 3]]);
    for (const bad of ['{}', '[[1]]', '[[5,1]]', '[[1.5,2]]', '[["1",2]]', 'null']) expect(() => parseRanges(bad), bad).to.throw(TypeError);
  });
});
