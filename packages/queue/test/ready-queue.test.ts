import { expect } from 'chai';
import { Redis } from 'ioredis';
import { isVigilError } from '@vigil/errors';
import { ReadyQueue } from '@vigil/queue';

// Building the Queue once Redis answers needs a Redis: test/integration/ready-queue.test.ts.
describe('ReadyQueue without Redis', function () {
  it('on a fail-fast connection that is not connected, throws NOT_READY naming the queue, builds nothing, and closes cleanly', async function () {
    // lazyConnect: the client never dials (port 1 would refuse it anyway).
    const connection = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, lazyConnect: true, maxRetriesPerRequest: 1 });
    connection.on('error', () => undefined);
    const ready = new ReadyQueue(connection, 'ready-queue-unit');
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        let refused: unknown;
        try {
          ready.get();
        } catch (error) {
          refused = error;
        }
        expect(isVigilError(refused) && refused.code, `attempt ${attempt}`).to.equal('NOT_READY');
        expect(isVigilError(refused) && refused.details).to.deep.include({ dependency: 'redis', queue: 'ready-queue-unit' });
      }
      expect(connection.status).to.equal('wait');
      await ready.close();
    } finally {
      connection.disconnect();
    }
  });
});
