import { expect } from 'chai';
import { join } from 'node:path';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import { request } from '../support/http';
import { PrivateRedis } from '../support/private-redis';
import { useTempDirs } from '../support/temp-dirs';
import { referenceInstances, testConfig, waitFor } from '../support/test-env';

interface Readyz {
  status: string;
  checks: Record<string, string>;
}

// The real API over a Redis of the test's own (no worker: nothing here needs the records stored).
describe('API /readyz: in service while it can keep records, out of it when it cannot', function () {
  this.timeout(120_000);
  let redis: PrivateRedis | undefined;
  let api: RunningApi | undefined;
  let redisDown = false;
  const stopRedis = async () => {
    await redis!.stop();
    redisDown = true;
  };
  const startRedis = async () => {
    await redis!.start();
    redisDown = false;
  };
  afterEach(async function () {
    if (redisDown) await startRedis(); // so the API's close can flush what it holds
    await api?.close();
    await redis?.stop();
    api = undefined;
    redis = undefined;
  });
  // After the hook above, so the API is closed before its spool directory goes.
  const tempDir = useTempDirs();

  async function start(overrides: Record<string, string> = {}): Promise<RunningApi> {
    redis = await PrivateRedis.start();
    const config = testConfig({ REDIS_URL: redis.url, SPOOL_DIR: join(tempDir('readiness'), 'spool'), AUDIT_DATABASE_URL: '', ...overrides });
    api = await startApi(config);
    return api;
  }

  const readyz = (port: number) => request<Readyz>(port, 'GET', '/readyz');
  const until = (port: number, what: string, done: (answer: { status: number; body: Readyz }) => boolean, timeoutMs = 15_000) =>
    waitFor(
      what,
      async () => {
        const answer = await readyz(port);
        return done(answer) ? answer : undefined;
      },
      timeoutMs,
    );

  it('stays 200, degraded and naming Redis, while Redis is down and /predict keeps answering; ready again once Redis is back', async function () {
    const { port } = await start();
    expect(await readyz(port)).to.deep.include({
      status: 200,
      body: { status: 'ready', checks: { model: 'ok', redis: 'ok', journal: 'ok', label_journal: 'ok' } },
    });

    await stopRedis();
    const degraded = await until(port, 'a degraded /readyz', (answer) => answer.body.status !== 'ready');
    expect(degraded.status).to.equal(200);
    expect(degraded.body).to.deep.equal({ status: 'degraded', checks: { model: 'ok', redis: 'down', journal: 'ok', label_journal: 'ok' } });
    const prediction = await request(port, 'POST', '/predict', { instances: referenceInstances(10) });
    expect(prediction.status).to.equal(200);
    expect((await readyz(port)).status, 'still in service after predicting with Redis down').to.equal(200);

    await startRedis();
    const back = await until(port, 'a ready /readyz', (answer) => answer.body.status === 'ready', 30_000);
    expect(back.body.checks).to.deep.equal({ model: 'ok', redis: 'ok', journal: 'ok', label_journal: 'ok' });
  });

  it('answers 503 not_ready, naming the journal, once the journal is full; ready again after Redis took the backlog', async function () {
    // The smallest journal allowed, filled while Redis is down.
    const { port } = await start({ SPOOL_MAX_BYTES: String(1024 * 1024), MAX_INSTANCES_PER_REQUEST: '1000' });
    await stopRedis();
    await until(port, 'a degraded /readyz', (answer) => answer.body.checks.redis === 'down');
    let full: { status: number; body: Readyz } | undefined;
    for (let round = 0; round < 40 && full === undefined; round++) {
      // Once the journal is full a record cannot be kept: whether /predict then still answers is not this test's question.
      const answer = await request(port, 'POST', '/predict', { instances: referenceInstances(500, (round * 500) % 4000) });
      expect(answer.status, `round ${round}`).to.be.oneOf([200, 503]);
      const probe = await readyz(port);
      if (probe.status === 503) full = probe;
    }
    expect(full, 'the journal filled up').to.not.equal(undefined);
    expect(full!.body).to.deep.equal({ status: 'not_ready', checks: { model: 'ok', redis: 'down', journal: 'full', label_journal: 'ok' } });

    await startRedis();
    const back = await until(port, 'a ready /readyz once the journal drained', (answer) => answer.body.status === 'ready', 60_000);
    expect(back.status).to.equal(200);
  });

  it('answers 503 not_ready, naming the label journal, once labels fill it while Redis is down', async function () {
    const { port } = await start({ SPOOL_MAX_BYTES: String(1024 * 1024) });
    await stopRedis();
    await until(port, 'a degraded /readyz', (answer) => answer.body.checks.redis === 'down');
    let full: { status: number; body: Readyz } | undefined;
    for (let round = 0; round < 40 && full === undefined; round++) {
      const labels = Array.from({ length: 1000 }, (_, i) => ({
        prediction_id: `00000000-0000-7000-8000-${String(round * 1000 + i).padStart(12, '0')}`,
        label: i % 2,
      }));
      const answer = await request(port, 'POST', '/feedback', { labels });
      expect(answer.status, `round ${round}`).to.be.oneOf([202, 503]);
      const probe = await readyz(port);
      if (probe.status === 503) full = probe;
    }
    expect(full, 'the label journal filled up').to.not.equal(undefined);
    expect(full!.body).to.deep.equal({ status: 'not_ready', checks: { model: 'ok', redis: 'down', journal: 'ok', label_journal: 'full' } });
  });
});
