import { expect } from 'chai';
import { loadConfig } from '../src/load-config';
import { parseRedisUrl, redisTopologyAddress } from '../src/redis-url';

describe('REDIS_URL topologies', function () {
  it('keeps a redis:// or rediss:// URL as it is, for ioredis to read', function () {
    expect(parseRedisUrl('redis://:secret@10.0.0.5:6380/2')).to.deep.equal({ kind: 'server', url: 'redis://:secret@10.0.0.5:6380/2' });
    expect(parseRedisUrl('rediss://cache.example:6379').kind).to.equal('server');
  });

  it('reads a Sentinel group: the sentinels, the master name, db, the passwords', function () {
    expect(parseRedisUrl('redis-sentinel://:p%40ss@s1:26380,s2,[::1]:26381/mymaster?db=3&sentinelPassword=sp')).to.deep.equal({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26380 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26381 },
      ],
      masterName: 'mymaster',
      db: 3,
      password: 'p@ss',
      sentinelPassword: 'sp',
    });
  });

  it('reads a Cluster by its seed nodes', function () {
    expect(parseRedisUrl('redis-cluster://user:pw@n1:7000,n2')).to.deep.equal({
      kind: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 6379 },
      ],
      username: 'user',
      password: 'pw',
    });
  });

  it('refuses what names no topology, saying why', function () {
    expect(() => parseRedisUrl('http://x:1')).to.throw(/redis:, rediss:, redis-sentinel: or redis-cluster:/);
    expect(() => parseRedisUrl('redis-sentinel://s1:26379')).to.throw(/master-name/);
    expect(() => parseRedisUrl('redis-sentinel://s1:26379/m?db=x')).to.throw(/db/);
    expect(() => parseRedisUrl('redis-cluster://n1:7000/1')).to.throw(/no path/);
    expect(() => parseRedisUrl('redis-cluster://n1:99999')).to.throw(/host:port/);
    expect(() => loadConfig({ REDIS_URL: 'redis-sentinel://s1' })).to.throw(/REDIS_URL/);
    expect(loadConfig({ REDIS_URL: 'redis-cluster://n1:7000' }).redisUrl).to.equal('redis-cluster://n1:7000');
  });

  it('names a group by its master and a Cluster by its sorted nodes, without credentials', function () {
    const sentinel = parseRedisUrl('redis-sentinel://:pw@s2:1,s1:2/m?db=1');
    const cluster = parseRedisUrl('redis-cluster://:pw@N2:7001,n1:7000');
    if (sentinel.kind !== 'sentinel' || cluster.kind !== 'cluster') throw new Error('wrong kinds');
    expect(redisTopologyAddress(sentinel)).to.equal('sentinel:m/1');
    expect(redisTopologyAddress(cluster)).to.equal('cluster:n1:7000,n2:7001');
  });
});
