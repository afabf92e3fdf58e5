import type { DriftService } from '@vigil/drift';
import type { ModelSpec } from '@vigil/model';
import type { CompletenessService, MonitoringService, PerformanceService } from '@vigil/monitoring';
import { ReadyQueue, type QueueNames, type RedisConnection } from '@vigil/queue';
import type { AlertSources } from '../conditions';
import { readRequestCounts } from '../request-counts';

export interface AlertSourceOptions {
  readonly monitoring: MonitoringService;
  readonly drift: DriftService;
  /** The served model's spec: its threshold turns the reference's probabilities into a fraud rate. */
  readonly spec: Pick<ModelSpec, 'threshold'>;
  /** Redis: the API's request counts and the log queue's backlog. */
  readonly connection: RedisConnection;
  readonly names: QueueNames;
  /** How often the rules are evaluated: a drift report is reused for half of it. */
  readonly evaluationIntervalMs: number;
  /**
   * The oldest SQLite row the Postgres audit has not received (the worker's
   * SqliteWriter.auditBacklog); undefined when no audit is configured.
   */
  readonly auditBacklog: (() => { readonly oldestTimestamp: string | undefined }) | undefined;
  readonly deadLetters: { count(): Promise<number> };
  /** Records per API instance by where they are: records_missing reads its total. */
  readonly completeness?: Pick<CompletenessService, 'report'> | undefined;
  /** Model quality over the quality rollups; undefined where there is none (MONITORING_STORE=postgres): the quality kinds give no verdict. */
  readonly performance?: Pick<PerformanceService, 'performance'> | undefined;
  /** When the newest label arrived (labels_stopped); undefined as `performance`. */
  readonly labelArrivals?: { lastReceivedAt(): Promise<string | undefined> } | undefined;
  readonly now?: () => number;
}

export interface RunningAlertSources {
  readonly sources: AlertSources;
  /** Closes the log queue handle the backlog is read through (not the connection). */
  close(): Promise<void>;
}

/** The share of the training reference the model calls fraud: what fraud_rate_departure compares against. */
export function referenceFraudRate(probabilities: readonly number[], threshold: number): number {
  return probabilities.filter((p) => p >= threshold).length / probabilities.length;
}

/** The values alert rules read, wired to the monitoring and drift services, Redis and the stores. */
export function createAlertSources(options: AlertSourceOptions): RunningAlertSources {
  const { monitoring, drift, connection, names, auditBacklog, deadLetters, completeness, performance, labelArrivals } = options;
  const now = options.now ?? Date.now;
  const logQueue = new ReadyQueue(connection, names.log);
  const window = (ms: number) => ({ label: `${Math.round(ms / 60_000)}m`, ms });
  // Several rules read one report (feature_drift and dataset_drift; the quality kinds): compute it once per window and round.
  const perRound = <T>(compute: (ms: number) => Promise<T>): ((ms: number) => Promise<T>) => {
    const cache = new Map<number, { at: number; result: Promise<T> }>();
    return (ms) => {
      const cached = cache.get(ms);
      if (cached && now() - cached.at < options.evaluationIntervalMs / 2) return cached.result;
      const result = compute(ms);
      cache.set(ms, { at: now(), result });
      return result;
    };
  };

  const sources: AlertSources = {
    latency: (ms) => monitoring.latency(window(ms)),
    distribution: (ms) => monitoring.distribution(window(ms)),
    referenceFraudRate: referenceFraudRate(drift.reference.probabilities, options.spec.threshold),
    drift: perRound((ms) =>
      drift
        .report(window(ms))
        .then((report) => ({ rows_compared: report.sample.rows_compared, drifted_features: report.dataset.drifted_features, share: report.dataset.share })),
    ),
    requests: (ms) => readRequestCounts(connection, names.requestCountPrefix, ms),
    queueWaiting: async () => {
      const counts = await logQueue.get().getJobCounts('waiting', 'prioritized');
      return (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    },
    auditLagSeconds: async () => {
      if (auditBacklog === undefined) return undefined;
      const { oldestTimestamp } = auditBacklog();
      return oldestTimestamp === undefined ? 0 : Math.max(0, (now() - Date.parse(oldestTimestamp)) / 1000);
    },
    deadLetters: () => deadLetters.count(),
    ...(completeness === undefined ? {} : { recordsMissing: async () => (await completeness.report()).totals.missing }),
    // Every model version, at the model's own threshold: what GET /monitoring/performance?window=… answers.
    ...(performance === undefined ? {} : { performance: perRound((ms) => performance.performance(window(ms), undefined, undefined)) }),
    ...(labelArrivals === undefined
      ? {}
      : {
          secondsSinceLastLabel: async () => {
            const at = await labelArrivals.lastReceivedAt();
            return at === undefined ? undefined : Math.max(0, (now() - Date.parse(at)) / 1000);
          },
        }),
  };
  return { sources, close: () => logQueue.close() };
}
