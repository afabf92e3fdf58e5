import { createDriftService, type DriftSettings } from '@vigil/drift';
import type { Logger } from '@vigil/metrics';
import { loadModelSpec } from '@vigil/model';
import { CompletenessService, MonitoringService } from '@vigil/monitoring';
import { queueNames, readInstanceReports, type RedisConnection } from '@vigil/queue';
import { openMonitoringReader, type MonitoringReaderSettings } from '@vigil/stores';
import { AlertEvaluator } from '../alert-evaluator';
import { loadAlertRules } from '../alert-rules';
import { openAlertStore, type AlertStoreSettings } from '../alert-store-open';
import { createAlertSources } from './alert-sources';
import { startAlertScheduler } from './alert-scheduler';
import { openQualitySources, type QualitySourceSettings } from './quality-sources';
import { startWebhookDelivery } from './webhook-delivery';

/**
 * The settings alerting reads. Field names match the validated `Config` of
 * @vigil/config, so the worker passes its config itself.
 */
export interface AlertingSettings extends MonitoringReaderSettings, DriftSettings, AlertStoreSettings, QualitySourceSettings {
  readonly alertRulesPath: string;
  /** COMPLETENESS_GRACE_MS: how old an unaccounted record must be to count as missing (records_missing). */
  readonly completenessGraceMs: number;
  readonly modelSpecPath: string;
  readonly queueName: string;
  /** Base URL of the API, for the links in notifications. */
  readonly publicUrl: string;
  readonly alertWebhookUrls: readonly string[] | undefined;
  readonly alertWebhookSecret: string | undefined;
}

export interface AlertingOptions {
  readonly settings: AlertingSettings;
  /** The worker's connection (maxRetriesPerRequest: null); owned by the caller. */
  readonly connection: RedisConnection;
  /** The worker's SQLite writer, for how far the audit lags behind it. */
  readonly outbox: { auditBacklog(): { readonly oldestTimestamp: string | undefined } };
  readonly deadLetters: { count(): Promise<number> };
  readonly logger: Logger;
}

export interface RunningAlerting {
  /** One evaluation round now (tests; the scheduler runs them otherwise). */
  evaluateNow(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Alert evaluation and delivery in the worker. Every worker process runs
 * this; the evaluation scheduler and the notification queue decide which
 * one does each piece of work. State changes are recorded in the alert
 * store (openAlertStore: Postgres, shared by every host, when an audit
 * database is configured; else the host's SQLite file) under a lock, so
 * even two rounds at once, on two hosts, record one change once, and the
 * Postgres store hands each change over once. Notifications are jobs too,
 * retried with backoff, one job per change and webhook.
 */
export async function startAlerting(options: AlertingOptions): Promise<RunningAlerting> {
  const { settings, connection, outbox, deadLetters, logger } = options;
  const rules = loadAlertRules(settings.alertRulesPath);
  const spec = loadModelSpec(settings.modelSpecPath);
  // First of what opens files: a broken quality reference stops start-up before anything needs closing.
  const quality = openQualitySources(settings, rules);
  const names = queueNames(settings.queueName);
  const reader = openMonitoringReader(settings);
  const drift = createDriftService({ settings, spec, reader });
  const { sources, close: closeSources } = createAlertSources({
    monitoring: new MonitoringService(reader),
    drift,
    spec,
    connection,
    names,
    evaluationIntervalMs: rules.evaluation_interval_ms,
    auditBacklog: settings.auditDatabaseUrl === undefined ? undefined : () => outbox.auditBacklog(),
    deadLetters,
    completeness: new CompletenessService(
      { ranges: () => reader.seqRanges(), reports: () => readInstanceReports(connection, names.instances) },
      settings.completenessGraceMs,
    ),
    performance: quality?.performance,
    labelArrivals: quality?.labelArrivals,
  });

  const webhooks = settings.alertWebhookUrls ?? [];
  const delivery = startWebhookDelivery({ connection, queueName: names.notifications, webhooks, secret: settings.alertWebhookSecret, logger });
  const store = openAlertStore(settings);
  const evaluator = new AlertEvaluator({
    rules,
    store,
    sources,
    publicUrl: settings.publicUrl,
    notify: async (notification) => {
      await delivery.enqueue(notification);
      logger.info('alert state change', {
        rule: notification.rule,
        state: notification.state,
        value: notification.value,
        threshold: notification.threshold,
        webhooks: webhooks.length,
      });
    },
    onError: (rule, error) => logger.warn('alert rule not evaluated', { rule, error: error.message }),
  });
  const scheduler = await startAlertScheduler({
    connection,
    queueName: names.alertEvaluations,
    everyMs: rules.evaluation_interval_ms,
    evaluate: () => evaluator.evaluateAll(),
  });

  // Operators of several hosts need to see that the state is shared (postgres), not per host (sqlite).
  logger.info('alerting started', { rules: rules.rules.length, state: settings.auditDatabaseUrl === undefined ? 'sqlite' : 'postgres' });
  return {
    evaluateNow: () => evaluator.evaluateAll(),
    async close() {
      await Promise.all([scheduler.close(), delivery.close()]);
      await closeSources();
      await store.close();
      await reader.close();
      await quality?.close();
    },
  };
}
