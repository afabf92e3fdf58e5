import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AlertEvaluator, AlertStore, loadAlertRules, readRequestCounts, sendWebhook, type AlertNotification, type AlertSources } from '@vigil/alerts';
import type { Config } from '@vigil/config';
import { DriftService, loadDriftConfig, loadReference } from '@vigil/drift';
import type { Logger } from '@vigil/metrics';
import { loadModelSpec } from '@vigil/model';
import { MonitoringService } from '@vigil/monitoring';
import { queueNames, ReadyQueue, type DeadLetterQueue } from '@vigil/queue';
import { openSqlite, type MonitoringReader, type SqliteWriter } from '@vigil/stores';

export interface AlertingOptions {
  readonly config: Config;
  readonly connection: Redis;
  readonly reader: MonitoringReader;
  readonly sqlite: SqliteWriter;
  readonly deadLetters: DeadLetterQueue;
  readonly logger: Logger;
}

interface WebhookJob {
  /** Index into ALERT_WEBHOOK_URLS: the URL itself (which may hold a token) stays out of Redis. */
  readonly webhook: number;
  readonly notification: AlertNotification;
}

/**
 * Alert evaluation and delivery in the worker. Every worker process runs
 * this, but the evaluation is a BullMQ job scheduler's job: Redis hands
 * each tick to exactly one worker, and if that worker dies the next tick
 * goes to another (no gap longer than one interval). State changes are
 * recorded in SQLite under an IMMEDIATE transaction, so even two rounds at
 * once could not notify one change twice. Notifications are jobs too,
 * retried with backoff, one job per change and webhook.
 */
export async function startAlerting(options: AlertingOptions): Promise<{ close(): Promise<void>; evaluateNow(): Promise<void> }> {
  const { config, connection, reader, sqlite, deadLetters, logger } = options;
  const rules = loadAlertRules(config.alertRulesPath);
  const spec = loadModelSpec(config.modelSpecPath);
  const reference = loadReference(config.referencePath);
  const monitoring = new MonitoringService(reader);
  const drift = new DriftService({ reader, spec, config: loadDriftConfig(config.driftConfigPath, spec.features), reference, redacted: new Set(config.logRedactFeatures ?? []) });
  const names = queueNames(config.queueName);
  const logQueue = new ReadyQueue(connection, names.log);
  const window = (ms: number) => ({ label: `${Math.round(ms / 60_000)}m`, ms });
  const driftCache = new Map<number, { at: number; result: Promise<{ rows_compared: number; drifted_features: number; share: number }> }>();

  const sources: AlertSources = {
    latency: (ms) => monitoring.latency(window(ms)),
    distribution: (ms) => monitoring.distribution(window(ms)),
    referenceFraudRate: reference.probabilities.filter((p) => p >= spec.threshold).length / reference.probabilities.length,
    // feature_drift and dataset_drift read the same report: compute it once per window and round.
    drift: (ms) => {
      const cached = driftCache.get(ms);
      if (cached && Date.now() - cached.at < rules.evaluation_interval_ms / 2) return cached.result;
      const result = drift.report(window(ms)).then((report) => ({ rows_compared: report.sample.rows_compared, drifted_features: report.dataset.drifted_features, share: report.dataset.share }));
      driftCache.set(ms, { at: Date.now(), result });
      return result;
    },
    requests: (ms) => readRequestCounts(connection, names.requestCountPrefix, ms),
    queueWaiting: async () => {
      const counts = await logQueue.get().getJobCounts('waiting', 'prioritized');
      return (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    },
    auditLagSeconds: async () => {
      if (config.auditDatabaseUrl === undefined) return undefined;
      const { oldestTimestamp } = sqlite.auditBacklog();
      return oldestTimestamp === undefined ? 0 : Math.max(0, (Date.now() - Date.parse(oldestTimestamp)) / 1000);
    },
    deadLetters: () => deadLetters.count(),
  };

  const webhooks = config.alertWebhookUrls ?? [];
  const notifications = new ReadyQueue<WebhookJob>(connection, names.notifications, {
    defaultJobOptions: { attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
  });

  const storeDb = openSqlite(config.sqlitePath);
  const evaluator = new AlertEvaluator({
    rules,
    store: new AlertStore(storeDb),
    sources,
    publicUrl: config.publicUrl,
    notify: async (notification) => {
      // The job id makes a re-hand-over (after a crash between queueing and recording it) a no-op.
      const queue = notifications.get();
      await Promise.all(webhooks.map((_, webhook) => queue.add('webhook', { webhook, notification }, { jobId: `${notification.id}-${webhook}` })));
      logger.info('alert state change', { rule: notification.rule, state: notification.state, value: notification.value, threshold: notification.threshold, webhooks: webhooks.length });
    },
    onError: (rule, error) => logger.warn('alert rule not evaluated', { rule, error: error.message }),
  });

  const evaluations = new ReadyQueue(connection, names.alertEvaluations);
  const evaluationJob = { name: 'evaluate', opts: { removeOnComplete: 10, removeOnFail: 100 } };
  await evaluations.get().upsertJobScheduler('evaluate-alert-rules', { every: rules.evaluation_interval_ms }, evaluationJob);

  const evaluationWorker = new Worker(names.alertEvaluations, () => evaluator.evaluateAll(), { connection, concurrency: 1 });
  evaluationWorker.on('error', () => undefined);
  const deliveryWorker = new Worker<WebhookJob>(
    names.notifications,
    async (job: Job<WebhookJob>) => {
      const url = webhooks[job.data.webhook];
      if (url === undefined) return; // the list changed since: nobody to tell
      await sendWebhook(url, job.data.notification, config.alertWebhookSecret);
    },
    { connection, concurrency: 4 },
  );
  deliveryWorker.on('error', () => undefined);
  deliveryWorker.on('failed', (job, error) => logger.warn('alert webhook failed; will retry', { rule: job?.data.notification.rule, attempt: job?.attemptsMade, error: error.message }));

  return {
    evaluateNow: () => evaluator.evaluateAll(),
    async close() {
      await Promise.race([Promise.all([evaluationWorker.close(), deliveryWorker.close()]), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      await Promise.all([evaluations.close(), notifications.close(), logQueue.close()]);
      storeDb.close();
    },
  };
}
