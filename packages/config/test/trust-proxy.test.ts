import { expect } from 'chai';
import { loadConfig } from '@vigil/config';

describe('TRUST_PROXY', function () {
  it('defaults to false: the TCP peer is the client', function () {
    expect(loadConfig({}).trustProxy).to.equal(false);
    for (const off of ['false', 'off', 'no', '0', ' FALSE ']) expect(loadConfig({ TRUST_PROXY: off }).trustProxy, off).to.equal(false);
  });

  it('takes a hop count from 1 to 100', function () {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).to.equal(1);
    expect(loadConfig({ TRUST_PROXY: '100' }).trustProxy).to.equal(100);
    expect(() => loadConfig({ TRUST_PROXY: '101' })).to.throw(/TRUST_PROXY="101": expected a hop count from 1 to 100/);
  });

  it('takes comma-separated addresses, CIDR subnets and the named ranges, as a frozen list without repeats', function () {
    const list = loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.7 ,loopback,fd00::/8, ::1, 10.0.0.0/8, uniquelocal, linklocal' }).trustProxy;
    expect(list).to.deep.equal(['10.0.0.0/8', '192.168.1.7', 'loopback', 'fd00::/8', '::1', 'uniquelocal', 'linklocal']);
    expect(Object.isFrozen(list)).to.equal(true);
  });

  it('refuses true (any client could choose its address), and entries that are not addresses or subnets, naming them', function () {
    for (const all of ['true', 'on', 'yes', '*']) {
      expect(() => loadConfig({ TRUST_PROXY: all }), all).to.throw(/TRUST_PROXY=.*trusting every hop lets any client choose its own address/);
    }
    const cases: [string, RegExp][] = [
      ['10.0.0.0/33', /not "10\.0\.0\.0\/33"/],
      ['::1/129', /not "::1\/129"/],
      ['10.0.0.1, proxy.internal', /not "proxy\.internal"/],
      ['10.0.0.1,', /not ""/],
      ['300.1.1.1', /not "300\.1\.1\.1"/],
      ['10.0.0.0/x', /not "10\.0\.0\.0\/x"/],
      ['-1', /not "-1"/],
    ];
    for (const [raw, problem] of cases) {
      expect(() => loadConfig({ TRUST_PROXY: raw }), raw)
        .to.throw(problem)
        .with.property('code', 'CONFIG_INVALID');
    }
  });
});
