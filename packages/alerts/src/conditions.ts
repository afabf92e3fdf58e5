import type { AlertRule } from './alert-rules';

/**
 * Where rule values come from. The worker wires these to the monitoring
 * and drift services, the queue and the stores; tests can wire their own.
 */
export interface AlertSources {
  latency(windowMs: number): Promise<{ count: number; p95: number | null; p99: number | null }>;
  distribution(windowMs: number): Promise<{ total: number; fraud_rate: number | null }>;
  /** The training reference's predicted fraud rate. */
  readonly referenceFraudRate: number;
  drift(windowMs: number): Promise<{ rows_compared: number; drifted_features: number; share: number }>;
  requests(windowMs: number): Promise<{ total: number; errors: number }>;
  queueWaiting(): Promise<number>;
  /** undefined when no Postgres audit is configured. */
  auditLagSeconds(): Promise<number | undefined>;
  deadLetters(): Promise<number>;
  /**
   * Records served longer than COMPLETENESS_GRACE_MS ago that no store, dead
   * letter or journal holds (the total of /monitoring/completeness).
   * Optional: without it records_missing rules give no verdict.
   */
  recordsMissing?(): Promise<number>;
}

/** One evaluation: the rule's value (null when there is too little data for a verdict) and whether it breaches. */
export interface ConditionResult {
  readonly value: number | null;
  readonly breached: boolean;
}

const above = (value: number | null, threshold: number): ConditionResult => ({ value, breached: value !== null && value > threshold });

export async function evaluateCondition(rule: AlertRule, sources: AlertSources): Promise<ConditionResult> {
  switch (rule.kind) {
    case 'latency_p95':
    case 'latency_p99': {
      const latency = await sources.latency(rule.windowMs);
      if (latency.count < rule.min_count) return { value: null, breached: false };
      return above(rule.kind === 'latency_p95' ? latency.p95 : latency.p99, rule.threshold);
    }
    case 'error_rate': {
      const { total, errors } = await sources.requests(rule.windowMs);
      if (total === 0 || total < rule.min_count) return { value: null, breached: false };
      return above(errors / total, rule.threshold);
    }
    case 'fraud_rate_departure': {
      const { total, fraud_rate } = await sources.distribution(rule.windowMs);
      if (total < rule.min_count || fraud_rate === null) return { value: null, breached: false };
      return above(Math.abs(fraud_rate - sources.referenceFraudRate), rule.threshold);
    }
    case 'feature_drift':
    case 'dataset_drift': {
      const drift = await sources.drift(rule.windowMs);
      if (drift.rows_compared === 0 || drift.rows_compared < rule.min_count) return { value: null, breached: false };
      return above(rule.kind === 'feature_drift' ? drift.drifted_features : drift.share, rule.threshold);
    }
    case 'queue_backlog':
      return above(await sources.queueWaiting(), rule.threshold);
    case 'audit_lag': {
      const lag = await sources.auditLagSeconds();
      return above(lag ?? null, rule.threshold);
    }
    case 'dead_letters':
      return above(await sources.deadLetters(), rule.threshold);
    case 'records_missing':
      return above(sources.recordsMissing === undefined ? null : await sources.recordsMissing(), rule.threshold);
    case 'no_predictions': {
      const { total } = await sources.distribution(rule.windowMs);
      return { value: total, breached: total <= rule.threshold };
    }
  }
}
