import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { queueNames } from '@vigil/queue';
import { openSqlite } from '@vigil/stores';
import { loadAlertRules, type AlertRules } from '../alert-rules';
import { AlertStore } from '../alert-store';
import { RequestCounter } from '../request-counts';

/** The settings the API's part reads; field names match the validated `Config` of @vigil/config. */
export interface ApiAlertingSettings {
  readonly alertRulesPath: string;
  /** The SQLite file the worker records alert state in. */
  readonly sqlitePath: string;
  readonly queueName: string;
}

export interface ApiAlertingOptions {
  readonly settings: ApiAlertingSettings;
  /** The API's Redis connection; undefined when prediction logging is off (then no request counts). */
  readonly redis: Redis | undefined;
  /** Where vigil_alerts_firing is registered (the API's own registry). */
  readonly registry: Registry;
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
 * read from the shared state at scrape time, so every replica agrees.
 */
export function createApiAlerting(options: ApiAlertingOptions): ApiAlerting {
  const { settings, redis, registry } = options;
  const rules = loadAlertRules(settings.alertRulesPath);
  const db = openSqlite(settings.sqlitePath);
  const store = new AlertStore(db);
  new Gauge({
    name: 'vigil_alerts_firing',
    help: 'Alert rules firing now (1) or not (0), by rule.',
    labelNames: ['rule'] as const,
    registers: [registry],
    collect() {
      const firing = new Set(
        store
          .states()
          .filter((s) => s.state === 'firing')
          .map((s) => s.rule),
      );
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
      db.close();
    },
  };
}
