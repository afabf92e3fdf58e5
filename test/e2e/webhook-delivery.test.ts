import { expect } from 'chai';
import { Redis } from 'ioredis';
import { startWebhookDelivery, type AlertNotification, type WebhookDelivery, type WebhookJob } from '@vigil/alerts';
import { queueNames, ReadyQueue } from '@vigil/queue';
import { REDIS_URL, testConfig, waitFor } from '../support/test-env';
import { WebhookReceiver } from '../support/webhook-receiver';

function notification(id: string): AlertNotification {
  return {
    id,
    rule: 'latency_p95_slo',
    kind: 'latency_p95',
    severity: 'critical',
    state: 'firing',
    value: 40,
    threshold: 5,
    unit: 'ms',
    window: '5m',
    description: 'p95 latency over the SLO',
    at: new Date().toISOString(),
    links: { alerts: 'http://vigil.example/monitoring/alerts', monitoring: 'http://vigil.example/monitoring/latency?window=5m' },
  };
}

describe('webhook delivery: a refusal is final, a failure is retried', function () {
  this.timeout(30_000);
  let receiver: WebhookReceiver;
  let connection: Redis;
  let delivery: WebhookDelivery;
  let jobs: ReadyQueue<WebhookJob>;
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];

  beforeEach(async function () {
    warnings.length = 0;
    receiver = await WebhookReceiver.start();
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const names = queueNames(testConfig().queueName);
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
    };
    delivery = startWebhookDelivery({ connection, queueName: names.notifications, webhooks: [receiver.url], secret: undefined, logger });
    jobs = new ReadyQueue<WebhookJob>(connection, names.notifications);
  });
  afterEach(async function () {
    await delivery?.close();
    await jobs?.close();
    connection?.disconnect();
    await receiver?.close();
  });

  const state = async (id: string) => (await jobs.get().getJob(`${id}-0`))?.getState();

  it('attempts a 400 once and stops: the job fails at once instead of being retried', async function () {
    receiver.failStatus = 400;
    receiver.failNext = 100;
    await delivery.enqueue(notification('n-400'));
    await waitFor('the job to fail', async () => ((await state('n-400')) === 'failed' ? true : undefined));
    // The first retry would come 1 s after the first attempt: wait past it.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(receiver.requests).to.equal(1);
    expect((await jobs.get().getJob('n-400-0'))!.attemptsMade).to.equal(1);
    expect(warnings.map((w) => w.message)).to.deep.equal(['alert webhook refused the notification; not retrying']);
  });

  for (const status of [500, 429]) {
    it(`retries a ${status} with backoff until the receiver takes it`, async function () {
      receiver.failStatus = status;
      receiver.failNext = 2;
      await delivery.enqueue(notification(`n-${status}`));
      await waitFor('the delivery', () => (receiver.received.length > 0 ? true : undefined), 20_000);
      expect(receiver.requests).to.equal(3);
      expect(receiver.received.map((r) => r.body.id)).to.deep.equal([`n-${status}`]);
      await waitFor('the job to complete', async () => ((await state(`n-${status}`)) === 'completed' ? true : undefined));
      expect(warnings.map((w) => w.message)).to.deep.equal(['alert webhook failed; will retry', 'alert webhook failed; will retry']);
    });
  }
});
