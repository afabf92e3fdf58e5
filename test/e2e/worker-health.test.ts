import { expect } from 'chai';
import { join } from 'node:path';
import { SqliteWriter } from '@vigil/stores';
import { startHealthServer, type HealthServer } from '../../apps/worker/src/health-server';
import { startWorker, type RunningWorker } from '../../apps/worker/src/start-worker';
import { sqliteCheck } from '../../apps/worker/src/worker-checks';
import { request } from '../support/http';
import { PrivateRedis } from '../support/private-redis';
import { useTempDirs } from '../support/temp-dirs';
import { testConfig, waitFor } from '../support/test-env';

interface Readyz {
  status: string;
  checks: Record<string, string>;
}

describe('worker health: /healthz, /readyz and /metrics on WORKER_METRICS_PORT', function () {
  this.timeout(60_000);

  describe('a real worker over a Redis of its own', function () {
    let redis: PrivateRedis | undefined;
    let worker: RunningWorker | undefined;
    afterEach(async function () {
      await worker?.close();
      await redis?.stop();
    });

    it('is live and ready with SQLite and Redis up, not ready (naming Redis) while Redis is down, ready again once it is back', async function () {
      redis = await PrivateRedis.start();
      // No audit and no alerting: this is about the worker's own dependencies.
      worker = await startWorker(testConfig({ REDIS_URL: redis.url, WORKER_METRICS_PORT: '0', AUDIT_DATABASE_URL: '', ALERTING: 'off' }));
      const port = worker.metricsPort!;
      expect(port).to.be.a('number').and.above(0);

      expect(await request(port, 'GET', '/healthz')).to.deep.include({ status: 200, body: { status: 'ok' } });
      // startWorker returns while its Redis connection may still be connecting: ready follows within moments.
      const ready = await waitFor('/readyz to answer 200 after start', async () => {
        const answer = await request<Readyz>(port, 'GET', '/readyz');
        return answer.status === 200 ? answer : undefined;
      });
      expect(ready.contentType).to.match(/^application\/json/);
      expect(ready.body).to.deep.equal({ status: 'ready', checks: { sqlite: 'ok', redis: 'ok' } });
      const metrics = await request<string>(port, 'GET', '/metrics');
      expect(metrics.status).to.equal(200);
      expect(metrics.body).to.include('vigil_worker_records_written_total');

      await redis.stop();
      const down = await waitFor('/readyz to answer 503', async () => {
        const answer = await request<Readyz>(port, 'GET', '/readyz');
        return answer.status === 503 ? answer : undefined;
      });
      expect(down.body.status).to.equal('not_ready');
      expect(down.body.checks.sqlite).to.equal('ok');
      expect(down.body.checks.redis).to.be.oneOf(['down', 'timeout']);
      // Liveness is not readiness: an orchestrator must not restart a worker for a Redis outage.
      expect((await request(port, 'GET', '/healthz')).status).to.equal(200);

      await redis.start();
      const back = await waitFor(
        '/readyz to answer 200 again',
        async () => {
          const answer = await request<Readyz>(port, 'GET', '/readyz');
          return answer.status === 200 ? answer : undefined;
        },
        30_000,
      );
      expect(back.body).to.deep.equal({ status: 'ready', checks: { sqlite: 'ok', redis: 'ok' } });
    });
  });

  describe('the health server itself', function () {
    let server: HealthServer | undefined;
    afterEach(async function () {
      await server?.close();
      server = undefined;
    });
    const tempDir = useTempDirs();
    const registry = { contentType: 'text/plain; version=0.0.4', metrics: async () => 'vigil_test 1\n' };

    it('answers 503 naming SQLite once its file is closed, and a check that hangs as timeout', async function () {
      const sqlite = SqliteWriter.open(join(tempDir('worker-health'), 'monitoring.db'));
      server = await startHealthServer({
        port: 0,
        host: '127.0.0.1',
        registry,
        checks: { sqlite: sqliteCheck(sqlite), redis: () => new Promise<boolean>(() => undefined) },
        shuttingDown: () => false,
        checkTimeoutMs: 100,
      });
      expect((await request<Readyz>(server.port, 'GET', '/readyz')).body).to.deep.equal({ status: 'not_ready', checks: { sqlite: 'ok', redis: 'timeout' } });
      sqlite.close();
      const closed = await request<Readyz>(server.port, 'GET', '/readyz');
      expect(closed.status).to.equal(503);
      expect(closed.body).to.deep.equal({ status: 'not_ready', checks: { sqlite: 'down', redis: 'timeout' } });
    });

    it('answers 503 shutting_down once the worker stops, 404 and 405 in JSON, and serves /metrics', async function () {
      let stopping = false;
      server = await startHealthServer({ port: 0, host: '127.0.0.1', registry, checks: { redis: () => true }, shuttingDown: () => stopping });
      expect(await request(server.port, 'GET', '/readyz')).to.deep.include({ status: 200, body: { status: 'ready', checks: { redis: 'ok' } } });
      stopping = true;
      expect(await request(server.port, 'GET', '/readyz')).to.deep.include({ status: 503, body: { status: 'shutting_down', checks: { redis: 'ok' } } });
      expect((await request(server.port, 'GET', '/healthz')).status).to.equal(200);
      const metrics = await request<string>(server.port, 'GET', '/metrics?x=1');
      expect([metrics.status, metrics.contentType, metrics.body]).to.deep.equal([200, registry.contentType, 'vigil_test 1\n']);
      const missing = await request<{ error: { code: string } }>(server.port, 'GET', '/nowhere');
      expect([missing.status, missing.body.error.code]).to.deep.equal([404, 'NOT_FOUND']);
      const wrong = await request<{ error: { code: string } }>(server.port, 'POST', '/readyz', {});
      expect([wrong.status, wrong.body.error.code]).to.deep.equal([405, 'METHOD_NOT_ALLOWED']);
    });
  });
});
