import { expect } from 'chai';
import { parseLimit, parseWindow } from '@vigil/monitoring';

describe('parseWindow / parseLimit', function () {
  it('reads 15m, 1h, 24h, 7d', function () {
    expect(parseWindow('15m').ms).to.equal(900_000);
    expect(parseWindow('24h').ms).to.equal(86_400_000);
    expect(parseWindow('7d').ms).to.equal(604_800_000);
    expect(parseWindow(undefined).label).to.equal('1h');
  });
  it('rejects what is not a window, naming the parameter', function () {
    for (const bad of ['1', 'h', '0h', '-1h', '1w', '30s', '31d', '1.5h', ['1h']]) {
      expect(() => parseWindow(bad), String(bad))
        .to.throw()
        .with.property('details')
        .that.deep.include({ parameter: 'window' });
    }
  });
  it('bounds limit', function () {
    expect(parseLimit('1000', 50, 1000)).to.equal(1000);
    expect(parseLimit(undefined, 50, 1000)).to.equal(50);
    for (const bad of ['0', '1001', 'x', '', '1e2']) expect(() => parseLimit(bad, 50, 1000), bad).to.throw(/limit/);
  });
});
