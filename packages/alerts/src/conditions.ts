import type { PerformanceFigures } from '@vigil/monitoring';
import { describeKind, type AlertKind, type AlertRule } from './alert-rules';

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
  /**
   * Model quality of the predictions made in the window, every model version,
   * at the model's threshold (PerformanceService, the figures of
   * /monitoring/performance). Optional: without it (no quality store, as with
   * MONITORING_STORE=postgres) the quality kinds give no verdict.
   */
  performance?(windowMs: number): Promise<PerformanceFigures>;
  /** Seconds since the newest label arrived; undefined while none ever has. Optional as `performance`. */
  secondsSinceLastLabel?(): Promise<number | undefined>;
}

/** One evaluation: the rule's value (null when there is too little data for a verdict) and whether it breaches. */
export interface ConditionResult {
  readonly value: number | null;
  readonly breached: boolean;
}

/** Whether a value breaches its rule, on the side the kind's description gives; no value never does. */
export function breaches(rule: Pick<AlertRule, 'kind' | 'threshold'>, value: number | null): boolean {
  if (value === null) return false;
  switch (describeKind(rule.kind).fires) {
    case 'above':
      return value > rule.threshold;
    case 'below':
      return value < rule.threshold;
    case 'at_most':
      return value <= rule.threshold;
  }
}

export async function evaluateCondition(rule: AlertRule, sources: AlertSources): Promise<ConditionResult> {
  const value = await conditionValue(rule, sources);
  return { value, breached: breaches(rule, value) };
}

/** The one number a rule compares with its threshold, or null for no verdict. */
async function conditionValue(rule: AlertRule, sources: AlertSources): Promise<number | null> {
  switch (rule.kind) {
    case 'latency_p95':
    case 'latency_p99': {
      const latency = await sources.latency(rule.windowMs);
      if (latency.count < rule.min_count) return null;
      return rule.kind === 'latency_p95' ? latency.p95 : latency.p99;
    }
    case 'error_rate': {
      const { total, errors } = await sources.requests(rule.windowMs);
      return total === 0 || total < rule.min_count ? null : errors / total;
    }
    case 'fraud_rate_departure': {
      const { total, fraud_rate } = await sources.distribution(rule.windowMs);
      return total < rule.min_count || fraud_rate === null ? null : Math.abs(fraud_rate - sources.referenceFraudRate);
    }
    case 'feature_drift':
    case 'dataset_drift': {
      const drift = await sources.drift(rule.windowMs);
      if (drift.rows_compared === 0 || drift.rows_compared < rule.min_count) return null;
      return rule.kind === 'feature_drift' ? drift.drifted_features : drift.share;
    }
    case 'queue_backlog':
      return sources.queueWaiting();
    case 'audit_lag':
      return (await sources.auditLagSeconds()) ?? null;
    case 'dead_letters':
      return sources.deadLetters();
    case 'records_missing':
      return sources.recordsMissing === undefined ? null : sources.recordsMissing();
    case 'no_predictions':
      return (await sources.distribution(rule.windowMs)).total;
    case 'labels_stopped': {
      // Labels stopping matters only while predictions keep coming (no_predictions covers the rest).
      if (sources.secondsSinceLastLabel === undefined) return null;
      const { total } = await sources.distribution(rule.windowMs);
      if (total === 0 || total < rule.min_count) return null;
      return (await sources.secondsSinceLastLabel()) ?? null;
    }
    case 'label_coverage': {
      // A deployment that never sent a label has no label feed to watch: no verdict until the first one arrives.
      if (sources.performance === undefined || sources.secondsSinceLastLabel === undefined) return null;
      if ((await sources.secondsSinceLastLabel()) === undefined) return null;
      return qualityValue(rule.kind, rule, await sources.performance(rule.windowMs));
    }
    case 'realized_precision':
    case 'realized_recall':
    case 'realized_roc_auc':
    case 'estimated_precision':
    case 'estimated_recall':
    case 'quality_gap':
      return sources.performance === undefined ? null : qualityValue(rule.kind, rule, await sources.performance(rule.windowMs));
  }
}

/** The kinds read from PerformanceService's figures. */
type FigureKind = Extract<
  AlertKind,
  'realized_precision' | 'realized_recall' | 'realized_roc_auc' | 'estimated_precision' | 'estimated_recall' | 'quality_gap' | 'label_coverage'
>;

/** A quality kind's figure, as PerformanceService reports it (null stays null: undefined for the data). */
function qualityValue(kind: FigureKind, rule: AlertRule, figures: PerformanceFigures): number | null {
  const enoughLabeled = figures.labeled > 0 && figures.labeled >= rule.min_labeled;
  const enoughEstimated = figures.estimated.rows > 0 && figures.estimated.rows >= rule.min_count;
  switch (kind) {
    case 'realized_precision':
      return enoughLabeled ? figures.realized.precision : null;
    case 'realized_recall':
      return enoughLabeled ? figures.realized.recall : null;
    case 'realized_roc_auc':
      return enoughLabeled ? figures.realized.roc_auc : null;
    case 'estimated_precision':
      return enoughEstimated ? figures.estimated.precision : null;
    case 'estimated_recall':
      return enoughEstimated ? figures.estimated.recall : null;
    case 'quality_gap':
      // Over the labeled rows (gap.rows): a broken calibration shows either way, so its size is what counts.
      return figures.gap.rows > 0 && figures.gap.rows >= rule.min_labeled && figures.gap.precision !== null ? Math.abs(figures.gap.precision) : null;
    case 'label_coverage':
      return figures.predictions > 0 && figures.predictions >= rule.min_count ? figures.label_coverage : null;
  }
}
