import { Gauge, type Registry } from 'prom-client';
import { scrapeCache, type Logger } from '@vigil/metrics';
import { queueNames, type RedisConnection } from '@vigil/queue';
import { loadAlertRules, type AlertRules } from '../alert-rules';
import type { AlertStore } from '../alert-store';
import { openAlertStore, type AlertStoreSettings } from '../alert-store-open';
import { RequestCounter } from '../request-counts';

/** The settings the API's part reads; field names match the validated `Config` of @vigil/config. */
export interface ApiAlertingSettings extends AlertStoreSettings {
  readonly alertRulesPath: string;
  readonly queueName: string;
}

export interface ApiAlertingOptions {
  readonly settings: ApiAlertingSettings;
  /** The API's Redis connection; undefined when prediction logging is off (then no request counts). */
  readonly redis: RedisConnection | undefined;
  /** Where vigil_alerts_firing is registered (the API's own registry). */
  readonly registry: Registry;
  /** Told once when the alert store stops answering scrapes (and vigil_alerts_firing is left out). */
  readonly logger?: Logger | undefined;
}

export interface ApiAlerting {
  readonly rules: AlertRules;
  readonly store: AlertStore;
  readonly requestCounter: RequestCounter | undefined;
  close(): Promise<void>;
}

/**
 * The API's part in alerting: it counts its answers for error-rate rules,
 * shows rule state at /monitoring/alerts, and exports vigil_alerts_firing
 * read from the shared state at scrape time, so every replica agrees. The
 * store is the workers' (openAlertStore): Postgres when an audit database
 * is configured, so replicas on other hosts read the same state.
 */
export function createApiAlerting(options: ApiAlertingOptions): ApiAlerting {
  const { settings, redis, registry, logger } = options;
  const rules = loadAlertRules(settings.alertRulesPath);
  const store = openAlertStore(settings, { connectionTimeoutMs: 2000 });
  let failing = false;
  // As the API's other scrape-time reads: one store read a second at most, and a scrape never waits long for it.
  const firingRules = scrapeCache(
    async () => {
      const firing = new Set((await store.states()).filter((s) => s.state === 'firing').map((s) => s.rule));
      failing = false;
      return firing;
    },
    {
      ttlMs: 1000,
      waitMs: 1000,
      onError: (error) => {
        if (!failing) logger?.warn('alert store not readable at scrape; vigil_alerts_firing is left out until it answers', { error: error.message });
        failing = true;
      },
    },
  );
  new Gauge({
    name: 'vigil_alerts_firing',
    help: 'Alert rules firing now (1) or not (0), by rule.',
    labelNames: ['rule'] as const,
    registers: [registry],
    async collect() {
      const firing = await firingRules();
      this.reset();
      // Unknown (the store is away or slow): left out, rather than claim that nothing fires.
      if (firing === undefined) return;
      for (const rule of rules.rules) this.set({ rule: rule.name }, firing.has(rule.name) ? 1 : 0);
    },
  });
  const requestCounter = redis === undefined ? undefined : new RequestCounter(redis, queueNames(settings.queueName).requestCountPrefix);
  return {
    rules,
    store,
    requestCounter,
    async close() {
      await requestCounter?.close();
      await store.close();
    },
  };
}
