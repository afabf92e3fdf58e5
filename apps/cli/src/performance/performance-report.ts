import { existsSync, writeFileSync } from 'node:fs';
import { loadQualityCalibration, PerformanceService, type parseBucket, type TimeWindow } from '@vigil/monitoring';
import { openQualityReader, type QualityReader } from '@vigil/stores';
import type { CliContext } from '../program/cli-context';
import { EXIT } from '../program/exit-codes';
import { formatPercent, formatRatio } from './html-text';
import { renderPerformanceReport } from './report-html';

export interface PerformanceReportOptions {
  readonly window: TimeWindow;
  /** The timeline's bucket, already checked against the window. */
  readonly bucket: ReturnType<typeof parseBucket>;
  readonly modelVersion: string | undefined;
  readonly threshold: number | undefined;
  readonly out: string;
}

/**
 * `performance report`: a self-contained HTML report of realized and
 * estimated model quality, from the same PerformanceService and calibrator
 * the API's GET /monitoring/performance uses, so the report and the endpoint
 * show the same figures. Returns the exit code.
 */
export async function writePerformanceReport(context: CliContext, options: PerformanceReportOptions): Promise<number> {
  const config = context.config();
  const out = context.out;
  // Opening a missing file would create an empty store and report zeros: say where we looked instead.
  if (config.monitoringStore === 'sqlite' && !existsSync(config.sqlitePath)) {
    out(`performance report: no monitoring store at ${config.sqlitePath} (SQLITE_PATH)`);
    return EXIT.failed;
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
    return EXIT.ok;
  } catch (error) {
    out(`performance report: ${(error as Error).message}`);
    return EXIT.failed;
  } finally {
    await reader?.close();
  }
}
