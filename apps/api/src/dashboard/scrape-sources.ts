import type { DriftService } from '@vigil/drift';
import { scrapeCache, type ApiMetrics, type DriftSnapshot, type Logger, type ScrapeSource } from '@vigil/metrics';
import type { CompletenessService } from '@vigil/monitoring';
import type { QueueInspector } from '@vigil/queue';

/** What the scrape-time gauges read, and how to report trouble reading it. */
export interface ScrapeSourceOptions {
  readonly metrics: ApiMetrics;
  readonly logger: Logger;
  /** The log queue; undefined when prediction logging is off. */
  readonly queue?: QueueInspector | undefined;
  readonly drift?: DriftService | undefined;
  /** Records by where they are; undefined when prediction logging is off (no instance reports). */
  readonly completeness?: CompletenessService | undefined;
}

/** Drift gauges describe the last hour, like the dashboard's default window. */
const DRIFT_WINDOW = { label: '1h', ms: 3_600_000 } as const;
/** Queue counts change by the second; one Redis round trip a second at most, whatever the scrapers do. */
const QUEUE_TTL_MS = 1000;
/** A drift report reads up to max_sample rows and runs a test per feature: once per 30 s is plenty. */
const DRIFT_TTL_MS = 30_000;
/** One Redis HGETALL and one read of the store's few sequence-run rows: cheap, but missing records are a matter of minutes. */
const COMPLETENESS_TTL_MS = 5000;

/**
 * Wires the vigil_queue_* and vigil_drift_* gauges to their sources, each
 * behind a cache, so a scrape costs at most a few Redis commands and a
 * drift report every 30 s, and never waits long for either.
 */
export function readAtScrape(options: ScrapeSourceOptions): void {
  const { metrics, logger, queue, drift, completeness } = options;
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
