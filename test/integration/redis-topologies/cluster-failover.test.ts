import { expect } from 'chai';
import { queueNames } from '@vigil/queue';
import { expectEveryRedisUserWorks, expectStoredExactlyOnce, startLoad, startTopologyStack, type TopologyStack } from './failover-scenario';
import { RedisCluster } from './topology-servers';

describe('Redis Cluster (3 masters, 3 replicas): the log queue’s master dies under load, no record is lost or doubled', function () {
  this.timeout(240_000);
  let cluster: RedisCluster;
  let stack: TopologyStack;

  before(async function () {
    cluster = await RedisCluster.start();
    stack = await startTopologyStack(cluster.url);
  });
  after(async function () {
    await stack?.close();
    await cluster?.stop();
  });

  it('keeps every key of a queue in one slot, and the queues in slots of their own', async function () {
    const names = queueNames(stack.config.queueName);
    const slot = (queue: string, suffix: string) => cluster.slotOf(`bull:{${queue}}:${queue}:${suffix}`);
    // All of the log queue's BullMQ keys hash on the tag `{<queue>}`, as BullMQ's Lua scripts need.
    const logSlots = new Set(await Promise.all(['wait', 'active', 'completed', 'meta', 'events', 'id'].map((suffix) => slot(names.log, suffix))));
    expect(logSlots.size).to.equal(1);
    // The log queue's keys are there in fact (the worker and the API wrote them with that prefix).
    expect(await stack.connection.exists(`bull:{${names.log}}:${names.log}:meta`)).to.equal(1);
    // Another queue hashes on its own name: queues spread over the masters rather than crowding one.
    expect(await slot(names.deadLetter, 'wait')).to.not.equal([...logSlots][0]);
  });

  it('keeps answering /predict through a failover and stores every acknowledged prediction once', async function () {
    const names = queueNames(stack.config.queueName);
    const load = startLoad(stack.api.port);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // The master that holds the log queue: the one whose death matters.
    const victim = await cluster.masterOf(`{${names.log}}`);
    await cluster.node(victim).kill();
    await cluster.waitFailover(`{${names.log}}`, victim);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const { acknowledged, failures } = await load.stop();
    expect(await cluster.masterOf(`{${names.log}}`)).to.not.equal(victim);

    expect(Object.fromEntries(failures)).to.deep.equal({});
    expect(acknowledged.length).to.be.greaterThan(100);
    await expectStoredExactlyOnce(stack.config.sqlitePath, acknowledged);
  });

  it('runs dead letters, the shared rate limit, request counts and the alert scheduler on the Cluster', async function () {
    await expectEveryRedisUserWorks(stack);
  });
});
