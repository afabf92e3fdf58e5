import { Redis } from 'ioredis';
import { REDIS_URL, testQueueNames } from './test-env';

/**
 * Removes, after the whole run, the Redis keys of every queue the tests
 * created (the queue itself, its dead-letter and notification queues, the
 * API's request counts). Completed jobs are kept on purpose by the product,
 * so without this every run would leave its batches in the shared Redis.
 * Only names this process handed out are touched: another run's keys stay.
 */
async function removeTestKeys(): Promise<void> {
  if (testQueueNames.size === 0) return;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    for (const name of testQueueNames) {
      for (const pattern of [`bull:${name}:*`, `bull:${name}-*`, `vigil:${name}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          if (keys.length > 0) await redis.unlink(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
    }
  } catch {
    // Redis gone at the end of a run: nothing to clean, and no reason to fail the run.
  } finally {
    redis.disconnect();
  }
}

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await removeTestKeys();
  },
};
