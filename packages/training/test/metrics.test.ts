import { expect } from 'chai';
import { averagePrecision, metricsAtThreshold, rocAuc } from '../src/metrics';

describe('training: ROC AUC and average precision', () => {
  it('match the hand-computed textbook example', () => {
    // Sorted by score: 0.8 (fraud), 0.4 (legit), 0.35 (fraud), 0.1 (legit).
    // AUC: of the 4 fraud/legit pairs, 3 are ordered correctly -> 0.75.
    // AP: recall 0.5 at precision 1, then recall 1 at precision 2/3 -> 0.5 + 0.5 * 2/3.
    const labels = [0, 0, 1, 1];
    const scores = [0.1, 0.4, 0.35, 0.8];
    expect(rocAuc(labels, scores)).to.equal(0.75);
    expect(averagePrecision(labels, scores)).to.be.closeTo(0.5 + 0.5 * (2 / 3), 1e-12);
  });

  it('count a tied fraud/legit pair as half and treat a tie as one threshold', () => {
    // Pairs: 0.9 beats both legit (2); 0.6 ties one legit (0.5) and beats 0.1 (1) -> 3.5 / 4.
    // AP: threshold 0.9 gives recall 0.5 at precision 1; threshold 0.6 adds recall 0.5 at precision 2/3.
    const labels = [1, 1, 0, 0];
    const scores = [0.9, 0.6, 0.6, 0.1];
    expect(rocAuc(labels, scores)).to.equal(0.875);
    expect(averagePrecision(labels, scores)).to.be.closeTo(0.5 + 0.5 * (2 / 3), 1e-12);
  });

  it('give 0.5 AUC and the base rate as AP when every score is equal', () => {
    const labels = [1, 0, 1, 0, 0];
    const scores = [0.3, 0.3, 0.3, 0.3, 0.3];
    expect(rocAuc(labels, scores)).to.equal(0.5);
    expect(averagePrecision(labels, scores)).to.be.closeTo(0.4, 1e-12);
  });

  it('give 1 for a perfect ranking and 0 AUC for a reversed one', () => {
    expect(rocAuc([0, 0, 1], [0.1, 0.2, 0.9])).to.equal(1);
    expect(averagePrecision([0, 0, 1], [0.1, 0.2, 0.9])).to.equal(1);
    expect(rocAuc([0, 0, 1], [0.8, 0.9, 0.1])).to.equal(0);
    // Reversed: the single fraud is found last, at precision 1/3.
    expect(averagePrecision([0, 0, 1], [0.8, 0.9, 0.1])).to.be.closeTo(1 / 3, 1e-12);
  });

  it('agree with a brute-force pair count on a larger input', () => {
    const labels: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < 200; i++) {
      labels.push(i % 7 === 0 || i % 11 === 0 ? 1 : 0);
      scores.push(((i * 37) % 50) / 50); // many ties
    }
    let pairs = 0;
    let total = 0;
    for (let p = 0; p < labels.length; p++) {
      if (labels[p] !== 1) continue;
      for (let n = 0; n < labels.length; n++) {
        if (labels[n] !== 0) continue;
        total++;
        pairs += scores[p]! > scores[n]! ? 1 : scores[p] === scores[n] ? 0.5 : 0;
      }
    }
    expect(rocAuc(labels, scores)).to.be.closeTo(pairs / total, 1e-12);
  });

  it('refuse inputs with a single class or mismatched lengths', () => {
    expect(() => rocAuc([1, 1], [0.2, 0.3])).to.throw(/both classes/);
    expect(() => averagePrecision([0, 0], [0.2, 0.3])).to.throw(/both classes/);
    expect(() => rocAuc([0, 1], [0.2])).to.throw(/length/);
  });

  it('compute precision and recall at a threshold', () => {
    const result = metricsAtThreshold([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], 0.5);
    expect(result).to.deep.equal({ precision: 0.5, recall: 0.5, flagged_rate: 0.5 });
  });
});
