import { expect } from 'chai';
import { Redis } from 'ioredis';
import { isVigilError } from '@vigil/errors';
import { ReadyQueue } from '@vigil/queue';
import { REDIS_URL, testQueueNames } from '../support/test-env';

/** A queue of this test's own, removed after the run with the others (test/support/cleanup-hooks.ts). */
function ownQueueName(): string {
  const name = `test-ready-queue-${process.pid}-${testQueueNames.size}`;
  testQueueNames.add(name);
  return name;
}

// Without Redis (the NOT_READY refusal alone): packages/queue/test/ready-queue.test.ts.
describe('ReadyQueue on a real Redis', function () {
  it('on a fail-fast connection, throws NOT_READY until Redis is connected, then builds the Queue once', async function () {
    const connection = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    connection.on('error', () => undefined);
    const ready = new ReadyQueue(connection, ownQueueName());
    try {
      let refused: unknown;
      try {
        ready.get();
      } catch (error) {
        refused = error;
      }
      expect(isVigilError(refused) && refused.code).to.equal('NOT_READY');
      await connection.connect();
      const queue = ready.get();
      expect(ready.get()).to.equal(queue);
      expect(await queue.getWaitingCount()).to.equal(0);
    } finally {
      await ready.close();
      connection.disconnect();
    }
  });

  it('on a connection that keeps an offline queue, builds the Queue at once', async function () {
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    const ready = new ReadyQueue(connection, ownQueueName());
    try {
      expect(connection.status).to.not.equal('ready');
      expect(await ready.get().getWaitingCount()).to.equal(0);
    } finally {
      await ready.close();
      connection.disconnect();
    }
  });
});
