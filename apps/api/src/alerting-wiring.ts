import { Gauge } from 'prom-client';
import type { Redis } from 'ioredis';
import { AlertStore, loadAlertRules, RequestCounter, type AlertRules } from '@vigil/alerts';
import type { Config } from '@vigil/config';
import type { ApiMetrics } from '@vigil/metrics';
import { queueNames } from '@vigil/queue';
import { openSqlite, type SqliteDatabase } from '@vigil/stores';

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
export function startApiAlerting(config: Config, redis: Redis | undefined, metrics: ApiMetrics): ApiAlerting {
  const rules = loadAlertRules(config.alertRulesPath);
  const db: SqliteDatabase = openSqlite(config.sqlitePath);
  const store = new AlertStore(db);
  new Gauge({
    name: 'vigil_alerts_firing',
    help: 'Alert rules firing now (1) or not (0), by rule.',
    labelNames: ['rule'] as const,
    registers: [metrics.registry],
    collect() {
      const firing = new Set(store.states().filter((s) => s.state === 'firing').map((s) => s.rule));
      for (const rule of rules.rules) this.set({ rule: rule.name }, firing.has(rule.name) ? 1 : 0);
    },
  });
  const requestCounter = redis === undefined ? undefined : new RequestCounter(redis, queueNames(config.queueName).requestCountPrefix);
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
