import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { LOG_BATCH_JOB } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { createTrafficSource, parseDriftSpec } from '@vigil/traffic';
import { startWorker, type RunningWorker } from '../../apps/worker/src/start-worker';
import { predictionRecord } from '../support/fixtures/prediction-records';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { testConfig, waitFor } from '../support/test-env';
import { WebhookReceiver } from '../support/webhook-receiver';

const SECRET = 'test-webhook-secret-0123456789';

function rulesFile(rules: unknown[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'alerts-')), 'alerts.json');
  writeFileSync(path, JSON.stringify({ evaluation_interval: '1s', rules }));
  return path;
}

/** `count` non-fraud records logged now, each with this latency. */
function records(count: number, latencyMs: number): PredictionRecord[] {
  return Array.from({ length: count }, () => predictionRecord({ prediction: 0, probability: 0.1, latency_ms: latencyMs }));
}

describe('alerts end to end: rules evaluated by the worker, webhooks notified once per state change', function () {
  this.timeout(120_000);

  describe('a latency rule', function () {
    let receiver: WebhookReceiver;
    let stack: Stack;
    let connection: Redis;
    let queue: Queue;
    let second: RunningWorker | undefined;

    before(async function () {
      receiver = await WebhookReceiver.start();
      const rules = rulesFile([{ name: 'latency_p95_slo', kind: 'latency_p95', threshold: 5, window: '5m', for: '0s', min_count: 20, severity: 'critical' }]);
      stack = await startStack(
        testConfig({ ALERT_RULES_PATH: rules, ALERT_WEBHOOK_URLS: receiver.url, ALERT_WEBHOOK_SECRET: SECRET, PUBLIC_URL: 'http://vigil.example:8000' }),
      );
      connection = new Redis(stack.config.redisUrl, { maxRetriesPerRequest: null });
      queue = new Queue(stack.config.queueName, { connection });
    });
    after(async function () {
      await second?.close();
      await queue?.close();
      connection?.disconnect();
      await stack?.close();
      await receiver?.close();
    });

    const send = (batch: PredictionRecord[]) => queue.add(LOG_BATCH_JOB.name, { v: 1, records: batch });
    const firingNotices = () => receiver.received.filter((r) => r.body.state === 'firing');
    const resolvedNotices = () => receiver.received.filter((r) => r.body.state === 'resolved');
    const rounds = (n: number) => new Promise((resolve) => setTimeout(resolve, n * 1000 + 300));

    it('fires once when the SLO is broken, with a signed JSON body', async function () {
      receiver.failNext = 2; // the first deliveries fail: the notification must be retried, not lost or doubled
      await send(records(100, 40));
      await waitFor('a firing notification', () => (firingNotices().length > 0 ? true : undefined), 30_000);
      const [notice] = firingNotices();
      expect(notice!.body).to.include({
        rule: 'latency_p95_slo',
        kind: 'latency_p95',
        state: 'firing',
        threshold: 5,
        severity: 'critical',
        unit: 'ms',
        window: '5m',
      });
      expect(notice!.body.value as number).to.be.closeTo(40, 0.4);
      expect(notice!.body.links).to.deep.equal({
        alerts: 'http://vigil.example:8000/monitoring/alerts',
        monitoring: 'http://vigil.example:8000/monitoring/latency?window=5m',
      });
      const timestamp = notice!.headers['x-vigil-timestamp'] as string;
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${notice!.raw}`).digest('hex')}`;
      expect(notice!.headers['x-vigil-signature']).to.equal(expected);

      const { body } = await request<{ firing: { rule: string }[]; rules: { name: string; state: string }[] }>(stack.api.port, 'GET', '/monitoring/alerts');
      expect(body.firing.map((f) => f.rule)).to.deep.equal(['latency_p95_slo']);
      const metrics = (await request<string>(stack.api.port, 'GET', '/metrics')).body;
      expect(metrics).to.match(/^vigil_alerts_firing\{rule="latency_p95_slo"\} 1$/m);
    });

    it('does not notify again while it stays firing, across a worker restart and with two evaluators', async function () {
      await rounds(3);
      // A second worker process: both now take evaluation ticks and notification jobs.
      second = await startWorker(stack.config);
      // And force two rounds at the very same moment.
      await Promise.all([stack.worker.evaluateAlerts!(), second.evaluateAlerts!()]);
      await rounds(2);
      // The first worker goes away and comes back: the firing state is in the store, not in its memory.
      await stack.worker.close();
      const restarted = await startWorker(stack.config);
      (stack as { worker: RunningWorker }).worker = restarted;
      await rounds(3);
      expect(firingNotices()).to.have.length(1);
      expect(resolvedNotices()).to.have.length(0);
    });

    it('resolves once when traffic recovers', async function () {
      // Fast traffic dilutes the slow requests until p95 is under the SLO again.
      for (let i = 0; i < 20; i++) await send(records(500, 0.8));
      await waitFor('a resolved notification', () => (resolvedNotices().length > 0 ? true : undefined), 30_000);
      await rounds(3);
      expect(firingNotices()).to.have.length(1);
      expect(resolvedNotices()).to.have.length(1);
      expect(resolvedNotices()[0]!.body.value as number).to.be.lessThan(5);
      const { body } = await request<{ firing: unknown[]; history: { rule: string; from_state: string; to_state: string }[] }>(
        stack.api.port,
        'GET',
        '/monitoring/alerts',
      );
      expect(body.firing).to.deep.equal([]);
      expect(body.history.map((h) => `${h.from_state}->${h.to_state}`)).to.deep.equal(['firing->resolved', 'inactive->firing']);
      // Every delivery of a change carries the same id: receivers can drop duplicates.
      expect(new Set(receiver.received.map((r) => r.body.id)).size).to.equal(2);
    });
  });

  describe('a drift rule', function () {
    let receiver: WebhookReceiver;
    let stack: Stack;

    before(async function () {
      receiver = await WebhookReceiver.start();
      const rules = rulesFile([{ name: 'feature_drift', kind: 'feature_drift', threshold: 0, window: '1h', for: '0s', min_count: 100 }]);
      stack = await startStack(testConfig({ ALERT_RULES_PATH: rules, ALERT_WEBHOOK_URLS: receiver.url }));
    });
    after(async function () {
      await stack?.close();
      await receiver?.close();
    });

    it('fires on shifted traffic', async function () {
      const next = createTrafficSource({ drawSeed: 21, shifts: parseDriftSpec('amount:x3') });
      for (let i = 0; i < 6; i++) {
        const response = await request(stack.api.port, 'POST', '/predict', { instances: Array.from({ length: 100 }, next) });
        expect(response.status).to.equal(200);
      }
      await waitFor('a drift notification', () => (receiver.received.length > 0 ? true : undefined), 30_000);
      expect(receiver.received[0]!.body).to.include({ rule: 'feature_drift', state: 'firing', value: 1 });
      expect((receiver.received[0]!.body.links as { monitoring: string }).monitoring).to.equal('http://localhost:8000/monitoring/drift?window=1h');
    });
  });
});
