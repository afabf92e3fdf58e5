import { expect } from 'chai';
import { frexp, ldexp, roundHalfEven } from '../src/float-utils';

describe('float helpers', function () {
  it('frexp splits like C, subnormals included', function () {
    expect(frexp(8)).to.deep.equal([0.5, 4]);
    expect(frexp(-3)).to.deep.equal([-0.75, 2]);
    expect(frexp(0.1)).to.deep.equal([0.8, -3]);
    expect(frexp(5e-324)).to.deep.equal([0.5, -1073]);
    expect(frexp(0)).to.deep.equal([0, 0]);
    for (const x of [1e-310, 3.7e-300, 1.5, 123456.789, 1.7e308]) {
      const [mantissa, exponent] = frexp(x);
      expect(Math.abs(mantissa)).to.be.within(0.5, 1 - Number.EPSILON / 2);
      expect(ldexp(mantissa, exponent)).to.equal(x);
    }
  });

  it('ldexp scales beyond the range of a single power of two', function () {
    expect(ldexp(1, 1023)).to.equal(2 ** 1023);
    expect(ldexp(0.25, 1025)).to.equal(2 ** 1023);
    expect(ldexp(2 ** 1000, -2000)).to.equal(2 ** -1000);
    expect(ldexp(1, -1074)).to.equal(5e-324);
    expect(ldexp(1, -1080)).to.equal(0);
  });

  it('rounds half to even, as numpy.round', function () {
    expect([0.5, 1.5, 2.5, -2.5, 2.4999, 2.5001].map(roundHalfEven)).to.deep.equal([0, 2, 2, -2, 2, 3]);
  });
});
