import { expect } from 'chai';
import { MonitoringError, parseBucket, parseThreshold, parseWindow } from '@vigil/monitoring';

describe('performance query parameters', function () {
  it('takes a threshold strictly between 0 and 1 and rejects anything else, naming the parameter', function () {
    expect(parseThreshold(undefined)).to.equal(undefined);
    expect(parseThreshold('0.3')).to.equal(0.3);
    expect(parseThreshold('.25')).to.equal(0.25);
    for (const bad of ['0', '1', '1.5', '-0.2', 'abc', '0.3x', '', '1e-3']) {
      expect(() => parseThreshold(bad), bad)
        .to.throw(MonitoringError)
        .with.property('details')
        .that.deep.includes({ parameter: 'threshold' });
    }
  });

  it('takes 1m, 1h and 1d buckets, at most 1,440 of them per window', function () {
    expect(parseBucket(undefined, parseWindow('30d'))).to.equal('1d');
    expect(parseBucket('1h', parseWindow('30d'))).to.equal('1h');
    expect(parseBucket('1m', parseWindow('1d'))).to.equal('1m');
    expect(() => parseBucket('1m', parseWindow('2d'))).to.throw(MonitoringError, /1440 buckets/);
    expect(() => parseBucket('2h', parseWindow('1d'))).to.throw(MonitoringError, /1m, 1h or 1d/);
  });
});
