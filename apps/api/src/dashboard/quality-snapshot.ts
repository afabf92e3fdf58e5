import type { QualitySnapshot } from '@vigil/metrics';
import type { PerformanceService, TimeWindow } from '@vigil/monitoring';

/**
 * The vigil_quality_* figures: GET /monitoring/performance for each model
 * version with predictions in the window, at the model's own threshold. The
 * numbers are PerformanceService's, copied, never recomputed here.
 */
export async function qualitySnapshot(performance: PerformanceService, window: TimeWindow): Promise<QualitySnapshot> {
  const versions = await performance.modelVersions(window);
  const models = [];
  // One version at a time: each is a read of the rollups (a few thousand cells), and a scrape needs no parallelism.
  for (const version of versions) {
    const { realized, estimated, label_coverage, labeled } = await performance.performance(window, version, undefined);
    models.push({
      modelVersion: version,
      realized: { precision: realized.precision, recall: realized.recall, f1: realized.f1, roc_auc: realized.roc_auc },
      estimated: { precision: estimated.precision, recall: estimated.recall, f1: estimated.f1, roc_auc: estimated.roc_auc },
      labelCoverage: label_coverage,
      labeled,
    });
  }
  return { window: window.label, models };
}
