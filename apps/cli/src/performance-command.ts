import { existsSync, writeFileSync } from 'node:fs';
import type { Config } from '@vigil/config';
import { loadQualityCalibration, PerformanceService } from '@vigil/monitoring';
import { openQualityReader, type QualityReader } from '@vigil/stores';
import { parseReportOptions } from './performance/report-options';
import { renderPerformanceReport } from './performance/report-html';
import { formatPercent, formatRatio } from './performance/html-text';

const USAGE = `usage: npm run cli -- performance report [--window 7d] [--model-version V] [--threshold T] [--bucket 1m|1h|1d] --out report.html
  window: 1m to 30d (default 7d); bucket: the timeline's (default 1h for windows up to 2d, else 1d; at most 1,440 buckets)
  threshold: strictly between 0 and 1, applied at the nearest probability-bin edge (default: the model's own)
  reads the quality rollups in SQLITE_PATH, calibrates CBPE on QUALITY_REFERENCE_PATH
  exit: 0 report written, 1 the store, the reference or the output file failed, 2 usage`;

/**
 * `performance report`: a self-contained HTML report of realized and
 * estimated model quality, from the same PerformanceService and calibrator
 * the API's GET /monitoring/performance uses, so the report and the endpoint
 * show the same figures. Returns the exit code.
 */
export async function performanceCommand(config: Config, args: readonly string[], out: (line: string) => void): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'report') {
    out(`performance: ${verb === undefined ? 'missing verb' : `unknown verb ${verb}`}`);
    out(USAGE);
    return 2;
  }
  const options = parseReportOptions(rest);
  if (typeof options === 'string') {
    out(`performance report: ${options}`);
    out(USAGE);
    return 2;
  }
  // Opening a missing file would create an empty store and report zeros: say where we looked instead.
  if (config.monitoringStore === 'sqlite' && !existsSync(config.sqlitePath)) {
    out(`performance report: no monitoring store at ${config.sqlitePath} (SQLITE_PATH)`);
    return 1;
  }
  let reader: QualityReader | undefined;
  try {
    // Without a reference beside the model (QUALITY_REFERENCE_PATH unset) the report shows realized quality and no estimates.
    const loaded = loadQualityCalibration(config);
    // The store /monitoring reads (MONITORING_STORE): SQLite on one host, the Postgres audit across several.
    reader = openQualityReader(config);
    const service = new PerformanceService(reader, loaded.calibrator);
    const performance = await service.performance(options.window, options.modelVersion, options.threshold);
    const timeline = await service.timeline(options.window, options.bucket, options.modelVersion, options.threshold);
    const html = renderPerformanceReport({
      performance,
      timeline,
      calibration: { path: config.qualityReferencePath, model_version: loaded.model_version, rows: loaded.rows },
      generatedAt: new Date(),
    });
    writeFileSync(options.out, html);
    out(
      `wrote ${options.out}: ${performance.predictions} predictions, ${performance.labeled} labeled (${formatPercent(performance.label_coverage)}); ` +
        `precision realized ${formatRatio(performance.realized.precision)}, estimated ${formatRatio(performance.estimated.precision)}; ` +
        `recall realized ${formatRatio(performance.realized.recall)}, estimated ${formatRatio(performance.estimated.recall)}`,
    );
    return 0;
  } catch (error) {
    out(`performance report: ${(error as Error).message}`);
    return 1;
  } finally {
    await reader?.close();
  }
}
