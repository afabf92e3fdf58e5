// Reading what a Vigil logger put on a real Redis, for the tests of createVigilLogger and vigilMiddleware.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { VigilLogger } from '@vigil/prediction-log';
import { parseLogBatch } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { REDIS_URL, testQueueNames, waitFor } from '../../../../test/support/test-env';

/** A queue of the test's own, removed from Redis after the run (test/support/cleanup-hooks.ts). */
export function testQueueName(prefix: string): string {
  const name = `test-${prefix}-${randomUUID().slice(0, 8)}`;
  testQueueNames.add(name);
  return name;
}

/** Every record of every log-batch job on the queue, in the order they were added, as the worker parses them (it must refuse none). */
export async function queuedRecords(name: string): Promise<PredictionRecord[]> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection });
  try {
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed']);
    const parsed = jobs.sort((a, b) => a.timestamp - b.timestamp).map((job) => parseLogBatch(job.data));
    expect(parsed.flatMap((p) => p.problems)).to.deep.equal([]);
    return parsed.flatMap((p) => p.records);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/**
 * Until the logger's own connection is up: a record logged before that waits in the journal and is
 * replayed a moment later, which flush() does not wait for (and without a journal it is dropped).
 */
export async function connected<T extends Pick<VigilLogger, 'health'>>(logger: T): Promise<T> {
  await waitFor('the logger to connect to Redis', () => (logger.health().redis === 'up' ? true : undefined));
  return logger;
}
