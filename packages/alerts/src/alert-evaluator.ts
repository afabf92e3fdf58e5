import type { AlertRule, AlertRules } from './alert-rules';
import { describeKind } from './alert-rules';
import type { AlertChange, AlertState, AlertStep, AlertStore } from './alert-store';
import { evaluateCondition, type AlertSources, type ConditionResult } from './conditions';

/** What a webhook receiver gets: one per state change it should hear about. */
export interface AlertNotification {
  /** Stable per change: a receiver can drop a retried delivery it already has. */
  readonly id: string;
  readonly rule: string;
  readonly kind: AlertRule['kind'];
  readonly severity: AlertRule['severity'];
  readonly state: 'firing' | 'resolved';
  readonly value: number | null;
  readonly threshold: number;
  readonly unit: string;
  readonly window: string;
  readonly description: string;
  readonly at: string;
  readonly links: { readonly alerts: string; readonly monitoring: string };
}

export interface AlertEvaluatorOptions {
  readonly rules: AlertRules;
  readonly store: AlertStore;
  readonly sources: AlertSources;
  /** Hands a notification to delivery (a durable queue); must be idempotent on notification.id. */
  readonly notify: (notification: AlertNotification) => Promise<void>;
  /** Base URL of the API, for the links in notifications. */
  readonly publicUrl: string;
  readonly onError?: (rule: string, error: Error) => void;
  readonly now?: () => number;
}

/** Where a person looks first for each kind of alert. */
const MONITORING_PATH: Record<AlertRule['kind'], string> = {
  latency_p95: '/monitoring/latency',
  latency_p99: '/monitoring/latency',
  error_rate: '/metrics',
  fraud_rate_departure: '/monitoring/distribution',
  feature_drift: '/monitoring/drift',
  dataset_drift: '/monitoring/drift',
  queue_backlog: '/monitoring/queue',
  audit_lag: '/metrics',
  dead_letters: '/admin/dead-letters',
  no_predictions: '/monitoring/distribution',
  records_missing: '/monitoring/completeness',
  realized_precision: '/monitoring/performance',
  realized_recall: '/monitoring/performance',
  realized_roc_auc: '/monitoring/performance',
  estimated_precision: '/monitoring/performance',
  estimated_recall: '/monitoring/performance',
  quality_gap: '/monitoring/performance',
  label_coverage: '/monitoring/performance',
  // The performance answer's label_delay_seconds and coverage say how far behind the labels are.
  labels_stopped: '/monitoring/performance',
};

/**
 * The state machine of one rule, Prometheus-style: a breach makes it
 * pending, a breach that lasts `for` makes it firing, and the end of a
 * breach resolves it. Only firing and resolved-after-firing are notified.
 * A round without a figure (value null) never fires; whether it resolves a
 * firing alert is the kind's `noData` (ALERT_KIND_DESCRIPTIONS).
 */
export function nextState(rule: AlertRule, current: AlertState | undefined, result: ConditionResult, nowIso: string, nowMs: number): AlertStep {
  const state = current?.state ?? 'inactive';
  const since = current?.since ?? nowIso;
  const base = { rule: rule.name, value: result.value, threshold: rule.threshold, evaluated_at: nowIso };
  const change = (to: string, notify: boolean) => ({ from_state: state, to_state: to, value: result.value, threshold: rule.threshold, notify: notify ? 1 : 0 });
  if (result.breached) {
    if (state === 'firing') return { next: { ...base, state, since } };
    if (state === 'pending' && nowMs - Date.parse(since) < rule.forMs) return { next: { ...base, state, since } };
    if (state === 'inactive' && rule.forMs > 0) return { next: { ...base, state: 'pending', since: nowIso }, change: change('pending', false) };
    return { next: { ...base, state: 'firing', since: nowIso }, change: change('firing', true) };
  }
  // No figure (no labels yet, no quality store) is not news that a quality alert is over: it stays firing.
  if (state === 'firing' && result.value === null && describeKind(rule.kind).noData === 'holds') return { next: { ...base, state, since } };
  if (state === 'firing') return { next: { ...base, state: 'inactive', since: nowIso }, change: change('resolved', true) };
  if (state === 'pending') return { next: { ...base, state: 'inactive', since: nowIso }, change: change('inactive', false) };
  return { next: { ...base, state: 'inactive', since } };
}

export class AlertEvaluator {
  private readonly now: () => number;

  constructor(private readonly options: AlertEvaluatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** One round over every rule. A rule whose source fails is skipped this round, not resolved. */
  async evaluateAll(): Promise<void> {
    for (const rule of this.options.rules.rules) {
      try {
        const result = await evaluateCondition(rule, this.options.sources);
        const nowMs = this.now();
        await this.options.store.transition(rule.name, (current) => nextState(rule, current, result, new Date(nowMs).toISOString(), nowMs));
      } catch (error) {
        this.options.onError?.(rule.name, error as Error);
      }
      // Also hands over changes recorded by a round that died before notifying (a crash, Redis away).
      await this.deliver(rule);
    }
  }

  private async deliver(rule: AlertRule): Promise<void> {
    try {
      // In order, each marked once handed over; the store keeps two evaluators from handing one change over twice.
      await this.options.store.handOver(rule.name, (change) => this.options.notify(this.notification(rule, change)));
    } catch (error) {
      // Keep the order: the store retries this change next round before any later one.
      this.options.onError?.(rule.name, error as Error);
    }
  }

  private notification(rule: AlertRule, change: AlertChange): AlertNotification {
    const base = this.options.publicUrl.replace(/\/$/, '');
    const path = MONITORING_PATH[rule.kind];
    const query = path.startsWith('/monitoring/') && rule.kind !== 'queue_backlog' ? `?window=${rule.window}` : '';
    return {
      id: `${rule.name}-${change.id}-${Date.parse(change.at)}`,
      rule: rule.name,
      kind: rule.kind,
      severity: rule.severity,
      state: change.to_state === 'firing' ? 'firing' : 'resolved',
      value: change.value,
      threshold: rule.threshold,
      unit: describeKind(rule.kind).unit,
      window: rule.window,
      description: rule.description,
      at: change.at,
      links: {
        alerts: `${base}/monitoring/alerts`,
        monitoring: `${base}${path}${query}`,
      },
    };
  }
}
