import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { isVigilError } from '@vigil/errors';
import { INSTANCE_REPORT_TTL_MS, queueNames, readInstanceReports, startInstanceReporter, type InstanceProgress } from '@vigil/queue';
import { REDIS_URL, testQueueNames } from '../support/test-env';

/** The instances hash of a queue of this test's own, removed after the run (test/support/cleanup-hooks.ts). */
function ownKey(): string {
  const name = `test-${randomUUID().slice(0, 12)}`;
  testQueueNames.add(name);
  return queueNames(name).instances;
}

async function connected(url = REDIS_URL): Promise<Redis> {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await once(redis, 'ready');
  return redis;
}

describe('instance reports on a real Redis', function () {
  it("publishes a logger's progress with how far it had got at earlier ages, and a last report on stop", async function () {
    const redis = await connected();
    const key = ownKey();
    let now = Date.parse('2026-12-01T12:00:00.000Z');
    const progress: InstanceProgress = { instanceId: 'api-a', served: 0, backlogRecords: 0, bufferedRecords: 0, inFlightRecords: 0 };
    let current = progress;
    // No timer ticks in this test (an hour apart): each publish() is one tick of a clock moved by hand.
    const reporter = startInstanceReporter({ connection: redis, key, progress: () => current, intervalMs: 3_600_000, now: () => now });
    try {
      for (let second = 1; second <= 100; second++) {
        now += 1000;
        current = { ...progress, served: second * 10, backlogRecords: 3, bufferedRecords: 2, inFlightRecords: 1 };
        expect(await reporter.publish()).to.equal(true);
      }
      const [report, ...others] = await readInstanceReports(redis, key, now);
      expect(others).to.deep.equal([]);
      expect(report).to.deep.include({ instance_id: 'api-a', served: 1000, backlog: 3, buffered: 2, in_flight: 1, at: now });
      // Newest first, one per age from 1 s to the oldest sample (the start, when it had served 0).
      const ages = report!.history.map(([at, served]) => [(now - at) / 1000, served]);
      expect(ages.slice(0, 6)).to.deep.equal([
        [1, 990],
        [2, 980],
        [3, 970],
        [5, 950],
        [10, 900],
        [15, 850],
      ]);
      expect(ages[ages.length - 1]).to.deep.equal([100, 0]);
      current = { ...current, served: 1005, backlogRecords: 0 };
    } finally {
      await reporter.stop();
    }
    const [last] = await readInstanceReports(redis, key, now);
    expect(last).to.include({ served: 1005, backlog: 0 });
    expect(await redis.pttl(key)).to.be.within(INSTANCE_REPORT_TTL_MS - 60_000, INSTANCE_REPORT_TTL_MS);
    redis.disconnect();
  });

  it('skips unreadable reports and deletes reports nobody refreshed for a week', async function () {
    const redis = await connected();
    const key = ownKey();
    const now = Date.now();
    const stale = JSON.stringify({ served: 5, backlog: 0, buffered: 0, in_flight: 0, at: now - INSTANCE_REPORT_TTL_MS - 1000, started_at: 0, history: [] });
    await redis.hset(key, 'api-gone', stale, 'api-garbled', '{"served":"many"}');
    expect(await readInstanceReports(redis, key, now)).to.deep.equal([]); // neither is a report to count
    const progress = { instanceId: 'api-b', served: 1, backlogRecords: 0, bufferedRecords: 0, inFlightRecords: 0 };
    const reporter = startInstanceReporter({ connection: redis, key, progress: () => progress, intervalMs: 3_600_000 });
    await reporter.stop();
    expect((await redis.hkeys(key)).sort()).to.deep.equal(['api-b']);
    redis.disconnect();
  });

  it('while Redis is away, skips its reports without throwing, and reading them says NOT_READY', async function () {
    // A port that accepts nothing: listen, take the port, close.
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    server.close();
    const redis = new Redis(`redis://127.0.0.1:${port}`, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 1000 });
    redis.on('error', () => undefined);
    const progress = { instanceId: 'api-c', served: 1, backlogRecords: 0, bufferedRecords: 0, inFlightRecords: 0 };
    const reporter = startInstanceReporter({ connection: redis, key: ownKey(), progress: () => progress, intervalMs: 10 });
    try {
      expect(await reporter.publish()).to.equal(false);
      await new Promise((resolve) => setTimeout(resolve, 50)); // a few ticks: none may throw
      let refused: unknown;
      await readInstanceReports(redis, ownKey()).catch((error: unknown) => (refused = error));
      expect(isVigilError(refused) && refused.code).to.equal('NOT_READY');
    } finally {
      await reporter.stop();
      redis.disconnect();
    }
  });
});
