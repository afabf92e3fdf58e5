import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { computeCompleteness, type Completeness } from '@vigil/monitoring';
import { queueNames, readInstanceReports } from '@vigil/queue';
import { SqliteReader } from '@vigil/stores';
import { request } from '../support/http';
import { metricValue } from '../support/metrics-text';
import { startStack, type Stack } from '../support/stack';
import { REDIS_URL, referenceInstances, testConfig, waitFor } from '../support/test-env';

const N = 30;

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`completeness over a real API and worker, read from ${store}`, function () {
    this.timeout(60_000);
    let stack: Stack;
    let redis: Redis;
    let queue: Queue;

    before(async function () {
      stack = await startStack(
        testConfig({ MONITORING_STORE: store, COMPLETENESS_GRACE_MS: '1000', SPOOL_DIR: mkdtempSync(join(tmpdir(), 'vigil-completeness-spool-')) }),
      );
      redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      queue = new Queue(queueNames(stack.config.queueName).log, { connection: redis });
    });
    after(async function () {
      await queue?.close();
      redis?.disconnect();
      await stack?.close();
    });

    const completeness = async (query = ''): Promise<Completeness> => {
      const { status, body } = await request<Completeness>(stack.api.port, 'GET', `/monitoring/completeness${query}`);
      expect(status, JSON.stringify(body)).to.equal(200);
      return body;
    };
    const predict = async (features: Record<string, unknown>): Promise<string> => {
      const { status, body } = await request<{ prediction_id: string }>(stack.api.port, 'POST', '/predict', { features });
      expect(status).to.equal(200);
      return body.prediction_id;
    };

    it(`counts ${N} predictions served as ${N} stored and none missing`, async function () {
      const instances = referenceInstances(N);
      // One batch request of 20 (each instance is a record of its own) and 10 single requests.
      const batch = await request(stack.api.port, 'POST', '/predict', { instances: instances.slice(0, 20) });
      expect(batch.status).to.equal(200);
      for (const features of instances.slice(20)) await predict(features);
      const answer = await waitFor('every record stored', async () => {
        const body = await completeness();
        return body.totals.stored === N && body.totals.served === N ? body : undefined;
      });
      expect(answer.instances).to.have.length(1);
      expect(answer.instances[0]).to.deep.include({ served: N, stored: N, in_flight: 0, spooled: 0, dead_lettered: 0, missing: 0, reporting: true });
      expect(answer.totals).to.deep.equal({ instances: 1, served: N, stored: N, in_flight: 0, spooled: 0, dead_lettered: 0, missing: 0 });
      expect(answer.grace_ms).to.equal(1000);
    });

    it('counts a record Redis lost (its job deleted before a worker took it) as in flight, then missing once the grace has passed', async function () {
      const [lostFeatures, laterFeatures] = referenceInstances(2, N);
      // The worker takes no job while the queue is paused; the record is acknowledged by Redis, then lost there.
      await queue.pause();
      const lostId = await predict(lostFeatures!);
      const job = await waitFor('the batch in the queue', async () => (await queue.getJob(lostId)) ?? undefined);
      await job.remove();
      await queue.resume();
      await predict(laterFeatures!);

      // Served long enough ago? Not under a grace of an hour: the lost record is still counted as on its way.
      const stored = await waitFor('the later record stored', async () => {
        const body = await completeness('?grace=1h');
        return body.totals.stored === N + 1 && body.totals.served === N + 2 ? body : undefined;
      });
      expect(stored.totals).to.include({ served: N + 2, stored: N + 1, missing: 0, in_flight: 1 });

      // Under the configured grace (1 s), it is missing once the instance served it more than a second ago.
      const missing = await waitFor('the lost record counted missing', async () => {
        const body = await completeness();
        return body.totals.missing === 1 ? body : undefined;
      });
      expect(missing.instances[0]).to.deep.include({ served: N + 2, stored: N + 1, in_flight: 0, spooled: 0, dead_lettered: 0, missing: 1 });

      // The same numbers in /metrics (cached up to 5 s), for Prometheus and the records_missing rule.
      const metrics = await waitFor('vigil_records_missing 1', async () => {
        const text = (await request<string>(stack.api.port, 'GET', '/metrics')).body;
        return metricValue(text, 'vigil_records_missing') === 1 ? text : undefined;
      });
      expect(metricValue(metrics, 'vigil_records_served')).to.equal(N + 2);
      expect(metricValue(metrics, 'vigil_records_stored')).to.equal(N + 1);

      if (store === 'postgres') {
        // The worker's SQLite file says the same as the Postgres audit.
        const sqlite = SqliteReader.open(stack.config.sqlitePath);
        try {
          const reports = await readInstanceReports(redis, queueNames(stack.config.queueName).instances);
          const local = computeCompleteness(await sqlite.seqRanges(), reports, { now: Date.now(), graceMs: 1000 });
          expect(local.totals).to.deep.equal(missing.totals);
        } finally {
          await sqlite.close();
        }
      }
    });

    it('answers a bad grace or an unknown parameter with 400 INVALID_QUERY_PARAMETER', async function () {
      for (const query of ['?grace=soon', '?grace=2h', '?window=1h']) {
        const { status, body } = await request<{ error: { code: string; details: { parameter: string } } }>(
          stack.api.port,
          'GET',
          `/monitoring/completeness${query}`,
        );
        expect(status, query).to.equal(400);
        expect(body.error.code).to.equal('INVALID_QUERY_PARAMETER');
      }
    });
  });
}
