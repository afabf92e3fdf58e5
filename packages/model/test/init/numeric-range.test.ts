import { expect } from 'chai';
import { widenRange } from '@vigil/model';

describe('model init: the range a numeric feature accepts', function () {
  it('starts at 0 for a sample without negatives and adds the span above the maximum, rounded up to 2 significant digits', function () {
    // hours 0..23, median 12: no long tail; 23 + 23 = 46.
    expect(widenRange({ min: 0, median: 12, max: 23 }, true)).to.deep.equal({ min: 0, max: 46, longTail: false });
    // 3.2..7.9, median 5.5: 7.9 + 4.7 = 12.6 -> 13.
    expect(widenRange({ min: 3.2, median: 5.5, max: 7.9 }, false)).to.deep.equal({ min: 0, max: 13, longTail: false });
  });

  it('takes 10 x the maximum for a long upper tail (max - median > 3 x (median - min)), as amounts and distances have', function () {
    expect(widenRange({ min: 6.31, median: 55.175, max: 604.13 }, false)).to.deep.equal({ min: 0, max: 6100, longTail: true });
  });

  it('goes below the minimum by the span when the sample has negatives, and by 10 x for a long lower tail', function () {
    expect(widenRange({ min: -4, median: 0.25, max: 2.5 }, false)).to.deep.equal({ min: -11, max: 9, longTail: false });
    expect(widenRange({ min: -900, median: -1, max: 0 }, true)).to.deep.equal({ min: -9000, max: 900, longTail: true });
  });

  it('rounds integers outward to whole numbers, and gives a constant column its own size as span', function () {
    expect(widenRange({ min: 0, median: 0.5, max: 1 }, true)).to.deep.equal({ min: 0, max: 2, longTail: false });
    expect(widenRange({ min: 5, median: 5, max: 5 }, true)).to.deep.equal({ min: 0, max: 10, longTail: false });
    expect(widenRange({ min: 0, median: 0, max: 0 }, false)).to.deep.equal({ min: 0, max: 1, longTail: false });
    // Exact values stay exact: 4200 is not pushed to 4300 by floating point.
    expect(widenRange({ min: 0, median: 1050, max: 2100 }, false).max).to.equal(4200);
  });
});
