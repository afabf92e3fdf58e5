import type { DriftService } from '@vigil/drift';
import { scrapeCache, type ApiMetrics, type DriftSnapshot, type Logger, type ScrapeSource } from '@vigil/metrics';
import type { CompletenessService, PerformanceService } from '@vigil/monitoring';
import type { QueueInspector } from '@vigil/queue';
import { qualitySnapshot } from './quality-snapshot';

/** What the scrape-time gauges read, and how to report trouble reading it. */
export interface ScrapeSourceOptions {
  readonly metrics: ApiMetrics;
  readonly logger: Logger;
  /** The log queue; undefined when prediction logging is off. */
  readonly queue?: QueueInspector | undefined;
  readonly drift?: DriftService | undefined;
  /** Records by where they are; undefined when prediction logging is off (no instance reports). */
  readonly completeness?: CompletenessService | undefined;
  /** Model quality; undefined with MONITORING_STORE=postgres (no quality rollups there yet): the vigil_quality_* gauges have no samples. */
  readonly performance?: PerformanceService | undefined;
}

/** Drift gauges describe the last hour, like the dashboard's default window. */
const DRIFT_WINDOW = { label: '1h', ms: 3_600_000 } as const;
/** Queue counts change by the second; one Redis round trip a second at most, whatever the scrapers do. */
const QUEUE_TTL_MS = 1000;
/** A drift report reads up to max_sample rows and runs a test per feature: once per 30 s is plenty. */
const DRIFT_TTL_MS = 30_000;
/** One Redis HGETALL and one read of the store's few sequence-run rows: cheap, but missing records are a matter of minutes. */
const COMPLETENESS_TTL_MS = 5000;
/** Quality gauges describe a week, as GET /monitoring/performance does by default: labels arrive over days. */
const QUALITY_WINDOW = { label: '7d', ms: 7 * 86_400_000 } as const;
/** A few rollup reads per model version; figures over a week move slowly, so twice a minute is plenty. */
const QUALITY_TTL_MS = 30_000;

/**
 * Wires the vigil_queue_*, vigil_drift_*, vigil_records_* and vigil_quality_*
 * gauges to their sources, each behind a cache, so a scrape costs at most a
 * few Redis commands, a drift report and a quality read every 30 s, and never
 * waits long for any.
 */
export function readAtScrape(options: ScrapeSourceOptions): void {
  const { metrics, logger, queue, drift, completeness, performance } = options;
  const failing = new Set<string>();
  const failed = (source: ScrapeSource) => (error: Error) => {
    metrics.scrapeSourceFailures.inc({ source });
    // One warning when a source starts failing, not one per scrape.
    if (!failing.has(source)) logger.warn('scrape-time read failed; its metrics are left out until it answers', { source, error: error.message });
    failing.add(source);
  };
  const recovered = <T>(source: string, value: T): T => {
    failing.delete(source);
    return value;
  };
  metrics.setScrapeSources({
    queue: queue && scrapeCache(async () => recovered('queue', await queue.snapshot()), { ttlMs: QUEUE_TTL_MS, waitMs: 500, onError: failed('queue') }),
    drift:
      drift &&
      scrapeCache(async () => recovered('drift', toSnapshot(await drift.report(DRIFT_WINDOW))), {
        ttlMs: DRIFT_TTL_MS,
        waitMs: 2000,
        onError: failed('drift'),
      }),
    completeness:
      completeness &&
      scrapeCache(
        async () => {
          const { totals } = await completeness.report();
          return recovered('completeness', {
            served: totals.served,
            stored: totals.stored,
            inFlight: totals.in_flight,
            spooled: totals.spooled,
            deadLettered: totals.dead_lettered,
            missing: totals.missing,
          });
        },
        { ttlMs: COMPLETENESS_TTL_MS, waitMs: 1000, onError: failed('completeness') },
      ),
    quality:
      performance &&
      scrapeCache(async () => recovered('quality', await qualitySnapshot(performance, QUALITY_WINDOW)), {
        ttlMs: QUALITY_TTL_MS,
        waitMs: 2000,
        onError: failed('quality'),
      }),
  });
}

function toSnapshot(report: Awaited<ReturnType<DriftService['report']>>): DriftSnapshot {
  return {
    rowsCompared: report.sample.rows_compared,
    features: [...report.features, ...report.outputs]
      .filter((f) => f.skipped === undefined && Number.isFinite(f.statistic))
      .map((f) => ({ feature: f.feature, test: f.test, statistic: f.statistic, drift: f.drift })),
  };
}
