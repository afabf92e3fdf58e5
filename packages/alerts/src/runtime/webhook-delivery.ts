import { UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { isPermanentError } from '@vigil/errors';
import type { Logger } from '@vigil/metrics';
import { bullConnection, ReadyQueue, type RedisConnection } from '@vigil/queue';
import type { AlertNotification } from '../alert-evaluator';
import { sendWebhook } from '../webhook-sender';

export interface WebhookJob {
  /** Index into ALERT_WEBHOOK_URLS: the URL itself (which may hold a token) stays out of Redis. */
  readonly webhook: number;
  readonly notification: AlertNotification;
}

export interface WebhookDeliveryOptions {
  /** A connection with maxRetriesPerRequest: null (BullMQ workers block on it). */
  readonly connection: RedisConnection;
  /** The notification queue (queueNames(QUEUE_NAME).notifications). */
  readonly queueName: string;
  /** ALERT_WEBHOOK_URLS; none means state changes are recorded but nobody is told. */
  readonly webhooks: readonly string[];
  /** ALERT_WEBHOOK_SECRET: signs each body. */
  readonly secret: string | undefined;
  readonly logger: Logger;
}

export interface WebhookDelivery {
  /** Queues one delivery job per webhook; idempotent on notification.id. */
  enqueue(notification: AlertNotification): Promise<void>;
  close(): Promise<void>;
}

/** Attempts per delivery, 1 s, 2 s, 4 s ... apart: a receiver down for a few minutes still hears of the change. */
const DELIVERY_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
};

/**
 * Notifications as jobs, one per state change and webhook, retried with
 * backoff by whichever worker takes them. A receiver's refusal that no
 * retry can mend (sendWebhook's PermanentError, a 4xx other than 408/425/429)
 * becomes bullmq's UnrecoverableError, so the job fails at once instead of
 * knocking nine more times on a door that said no.
 */
export function startWebhookDelivery(options: WebhookDeliveryOptions): WebhookDelivery {
  const { connection, queueName, webhooks, secret, logger } = options;
  const notifications = new ReadyQueue<WebhookJob>(connection, queueName, { defaultJobOptions: DELIVERY_JOB_OPTIONS });

  const worker = new Worker<WebhookJob>(
    queueName,
    async (job: Job<WebhookJob>) => {
      const url = webhooks[job.data.webhook];
      if (url === undefined) return; // the list changed since: nobody to tell
      try {
        await sendWebhook(url, job.data.notification, secret);
      } catch (error) {
        // BullMQ retries anything but its own UnrecoverableError: translate the named outcome here, at the queue's edge.
        if (isPermanentError(error)) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    { ...bullConnection(connection, queueName), concurrency: 4 },
  );
  worker.on('error', () => undefined);
  worker.on('failed', (job, error) => {
    const fields = { rule: job?.data.notification.rule, attempt: job?.attemptsMade, error: error.message };
    if (error instanceof UnrecoverableError) logger.warn('alert webhook refused the notification; not retrying', fields);
    else logger.warn('alert webhook failed; will retry', fields);
  });

  return {
    async enqueue(notification) {
      // The job id makes a re-hand-over (after a crash between queueing and recording it) a no-op.
      const queue = notifications.get();
      await Promise.all(webhooks.map((_, webhook) => queue.add('webhook', { webhook, notification }, { jobId: `${notification.id}-${webhook}` })));
    },
    async close() {
      // A delivery waits at most its 5 s timeout; do not hold the shutdown longer than that and some.
      await Promise.race([worker.close(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      await notifications.close();
    },
  };
}
