import { expect } from 'chai';
import { ShippedPrefix } from '../src/shipped-prefix';

describe('ShippedPrefix', function () {
  it('moves only to the end of the run of committed pages from the first one', function () {
    const prefix = new ShippedPrefix();
    const [a, b, c] = [prefix.issue(10), prefix.issue(20), prefix.issue(30)];
    expect(prefix.commit(b)).to.equal(undefined); // a is still open: 11-20 shipped says nothing about 1-10
    expect(prefix.commit(a)).to.equal(20);
    const d = prefix.issue(40);
    expect(prefix.commit(d)).to.equal(undefined);
    expect(prefix.commit(c)).to.equal(40);
  });

  it('never moves past a page that did not commit', function () {
    const prefix = new ShippedPrefix();
    const [a, , c] = [prefix.issue(10), prefix.issue(20), prefix.issue(30)];
    expect(prefix.commit(a)).to.equal(10);
    expect(prefix.commit(c)).to.equal(undefined);
  });
});
