import { expect } from 'chai';
import { expectEveryRedisUserWorks, expectStoredExactlyOnce, startLoad, startTopologyStack, type TopologyStack } from './failover-scenario';
import { SentinelGroup, until } from './topology-servers';

describe('Redis Sentinel: the master dies under load, the replica takes over, no record is lost or doubled', function () {
  this.timeout(240_000);
  let group: SentinelGroup;
  let stack: TopologyStack;

  before(async function () {
    group = await SentinelGroup.start();
    stack = await startTopologyStack(group.url);
  });
  after(async function () {
    await stack?.close();
    await group?.stop();
  });

  it('keeps answering /predict through a failover and stores every acknowledged prediction once', async function () {
    const load = startLoad(stack.api.port);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const oldMaster = await group.masterPort();
    await group.server(oldMaster).kill();
    await until('a sentinel-elected new master', async () => (await group.masterPort()) !== oldMaster, 60_000);
    // Keep the load on while the clients find the new master and the journal replays.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const { acknowledged, failures } = await load.stop();

    expect(Object.fromEntries(failures)).to.deep.equal({});
    expect(acknowledged.length).to.be.greaterThan(100);
    await expectStoredExactlyOnce(stack.config.sqlitePath, acknowledged);
  });

  it('runs dead letters, the shared rate limit, request counts and the alert scheduler on the new master', async function () {
    await expectEveryRedisUserWorks(stack);
  });
});
