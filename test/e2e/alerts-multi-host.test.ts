import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '@vigil/config';
import { LOG_BATCH_JOB } from '@vigil/queue';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import { startWorker, type RunningWorker } from '../../apps/worker/src/start-worker';
import { predictionRecord } from '../support/fixtures/prediction-records';
import { request } from '../support/http';
import { dropSchema, testConfig, waitFor } from '../support/test-env';
import { WebhookReceiver } from '../support/webhook-receiver';

const RULE = 'fraud_rate_departure';

interface AlertsAnswer {
  rules: { name: string; state: string }[];
  firing: { rule: string; since: string }[];
  history: { id: number; from_state: string; to_state: string; at: string }[];
}

// Two hosts, as an orchestrator runs them: each with a worker writing its own SQLite file and
// an API replica, all on one Redis queue and one Postgres audit (MONITORING_STORE=postgres).
describe('alerts across hosts: one notification per change, the same state on every replica', function () {
  this.timeout(120_000);
  let receiver: WebhookReceiver;
  let rulesDir: string;
  let configs: Config[];
  const workers: RunningWorker[] = [];
  const apis: RunningApi[] = [];
  let connection: Redis;
  let queue: Queue;

  before(async function () {
    receiver = await WebhookReceiver.start();
    rulesDir = mkdtempSync(join(tmpdir(), 'vigil-alerts-multi-host-'));
    const rulesPath = join(rulesDir, 'alerts.json');
    // The predicted fraud rate far from the reference's: the rule seen firing on two hosts at once.
    const rule = { name: RULE, kind: 'fraud_rate_departure', threshold: 0.05, window: '1h', for: '0s', min_count: 50, severity: 'warning' };
    writeFileSync(rulesPath, JSON.stringify({ evaluation_interval: '1s', rules: [rule] }));
    const shared = { ALERT_RULES_PATH: rulesPath, ALERT_WEBHOOK_URLS: receiver.url, MONITORING_STORE: 'postgres' };
    const first = testConfig(shared);
    // The second host: the same queue and audit schema, its own SQLite file (testConfig gives each config a new one).
    const second = testConfig({ ...shared, QUEUE_NAME: first.queueName, AUDIT_SCHEMA: first.auditSchema });
    configs = [first, second];
    expect(first.sqlitePath).to.not.equal(second.sqlitePath);
    for (const config of configs) workers.push(await startWorker(config));
    for (const config of configs) apis.push(await startApi(config));
    connection = new Redis(first.redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(first.queueName, { connection });
  });
  after(async function () {
    for (const api of apis) await api.close();
    for (const worker of workers) await worker.close();
    await queue?.close();
    connection?.disconnect();
    await receiver?.close();
    if (configs !== undefined) {
      await dropSchema(configs[0]!.auditSchema);
      for (const config of configs) rmSync(dirname(config.sqlitePath), { recursive: true, force: true });
    }
    if (rulesDir !== undefined) rmSync(rulesDir, { recursive: true, force: true });
  });

  it('fires once for both workers, and both APIs show it firing at /monitoring/alerts and in vigil_alerts_firing', async function () {
    // Every prediction fraud: the fraud rate is 1, the reference's a few percent. Ten batches, for both workers to take.
    for (let i = 0; i < 10; i++) {
      await queue.add(LOG_BATCH_JOB.name, { v: 1, records: Array.from({ length: 10 }, () => predictionRecord({ prediction: 1, probability: 0.9 })) });
    }
    const firingNotices = () => receiver.received.filter((r) => r.body.rule === RULE && r.body.state === 'firing');
    await waitFor('a firing notification', () => (firingNotices().length > 0 ? true : undefined), 60_000);

    // Both hosts evaluate the same tick at the very same time, several times (what overlapping rounds around a restart do),
    // and the scheduler's own ticks go on, to either worker, for a few more seconds.
    for (let i = 0; i < 3; i++) await Promise.all(workers.map((worker) => worker.evaluateAlerts!()));
    await new Promise((resolve) => setTimeout(resolve, 4000));

    expect(firingNotices()).to.have.length(1);
    expect(receiver.received).to.have.length(1);
    expect(receiver.requests).to.equal(1);
    expect(firingNotices()[0]!.body).to.include({ rule: RULE, kind: 'fraud_rate_departure', state: 'firing', threshold: 0.05 });

    const answers: AlertsAnswer[] = [];
    for (const api of apis) {
      const { status, body } = await request<AlertsAnswer>(api.port, 'GET', '/monitoring/alerts');
      expect(status).to.equal(200);
      expect(body.rules.map((r) => [r.name, r.state])).to.deep.equal([[RULE, 'firing']]);
      expect(body.firing.map((f) => f.rule)).to.deep.equal([RULE]);
      expect(body.history.map((h) => `${h.from_state}->${h.to_state}`)).to.deep.equal(['inactive->firing']);
      answers.push(body);
      const metrics = (await request<string>(api.port, 'GET', '/metrics')).body;
      expect(metrics).to.match(new RegExp(`^vigil_alerts_firing\\{rule="${RULE}"\\} 1$`, 'm'));
    }
    // One state, one change, read alike by both replicas (the same since and the same history row).
    expect(answers[1]!.firing).to.deep.equal(answers[0]!.firing);
    expect(answers[1]!.history).to.deep.equal(answers[0]!.history);
  });
});
