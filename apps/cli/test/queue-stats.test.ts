import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { LOG_BATCH_JOB, type QueueStats } from '@vigil/queue';
import { REDIS_URL } from '../../../test/support/test-env';
import { runCli } from './support/run-cli';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('vigil queue stats against a real Redis queue', function () {
  this.timeout(60_000);
  const queueName = `test-cli-queue-${randomUUID().slice(0, 8)}`;
  let connection: Redis;
  let queue: Queue;
  let stuckId: string;
  let oldestWaitingId: string;

  /**
   * The queue: 3 jobs completed by a real worker (each reporting 500 records
   * written, 2 rejected), one active job whose lock is gone (its worker died),
   * two waiting and one delayed.
   */
  before(async function () {
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(queueName, { connection });
    for (let i = 0; i < 3; i++) await queue.add(LOG_BATCH_JOB.name, { n: i });
    const worker = new Worker(queueName, async () => ({ written: 500, rejected: 2 }), { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }) });
    await until('three completed jobs', async () => (await queue.getCompletedCount()) === 3);
    await worker.close();
    await worker.disconnect();

    const stuck = await queue.add(LOG_BATCH_JOB.name, { n: 'stuck' });
    stuckId = String(stuck.id);
    const taker = new Worker(queueName, null, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), autorun: false });
    const taken = await taker.getNextJob('a-dying-worker');
    expect(String(taken?.id)).to.equal(stuckId);
    await taker.close();
    await taker.disconnect();
    await connection.del(`bull:${queueName}:${stuckId}:lock`);

    oldestWaitingId = String((await queue.add(LOG_BATCH_JOB.name, { n: 'first waiting' })).id);
    await queue.add(LOG_BATCH_JOB.name, { n: 'second waiting' });
    await queue.add(LOG_BATCH_JOB.name, { n: 'later' }, { delay: 3_600_000 });
  });

  after(async function () {
    await queue?.obliterate({ force: true });
    await queue?.close();
    connection?.disconnect();
  });

  const env = { REDIS_URL, QUEUE_NAME: queueName };

  it('--json: counts by state, the oldest waiting job, the last minute exactly, the stalled job', async function () {
    const run = await runCli(['queue', 'stats', '--json'], env);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    const stats = JSON.parse(run.stdout) as QueueStats;
    expect(stats.queue).to.equal(queueName);
    expect(stats.counts).to.include({ waiting: 2, delayed: 1, active: 1, completed: 3, failed: 0 });
    expect(stats.oldest_waiting?.job_id).to.equal(oldestWaitingId);
    expect(stats.oldest_waiting?.age_seconds).to.be.within(0, 60);
    expect(stats.recent).to.deep.equal({ minutes: 1, completed_jobs: 3, records_written: 1500, records_rejected: 6, whole_window: true });
    expect(stats.stalled.active_without_lock).to.deep.equal([stuckId]);
    expect(stats.dead_letters).to.equal(0);
    expect(stats.dead_letter_queue).to.equal(`${queueName}-dead-letter`);
  });

  it('prints the same as lines an operator reads', async function () {
    const run = await runCli(['queue', 'stats', '--minutes', '5'], env);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).to.match(new RegExp(`^queue ${queueName}; \\d+ worker connection\\(s\\)$`));
    expect(lines).to.include('jobs: waiting 2, prioritized 0, delayed 1, active 1, waiting-children 0, completed 3, failed 0');
    expect(run.stdout).to.match(new RegExp(`^oldest waiting: job ${oldestWaitingId}, enqueued \\S+Z, waiting \\d+\\.\\d s$`, 'm'));
    expect(lines).to.include('last 5 min: 3 job(s) completed, 1,500 record(s) written, 6 rejected');
    expect(run.stdout).to.match(new RegExp(`^stalled: 1 active job\\(s\\) without a worker's lock \\(${stuckId}\\); 0 stall\\(s\\) in the last 5 min$`, 'm'));
    expect(lines.at(-1)).to.equal(`dead letters: 0 in ${queueName}-dead-letter`);
  });

  it('fails with exit 1 and the reason when Redis does not answer', async function () {
    const run = await runCli(['queue', 'stats'], { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, QUEUE_NAME: queueName });
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/^queue stats: .*ECONNREFUSED/);
  });
});
