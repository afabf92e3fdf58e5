import { writeFileSync } from 'node:fs';
import { createDriftService, renderDriftReport } from '@vigil/drift';
import { loadModelSpec } from '@vigil/model';
import type { TimeWindow } from '@vigil/monitoring';
import { openMonitoringReader } from '@vigil/stores';
import type { CliContext } from '../program/cli-context';
import { EXIT } from '../program/exit-codes';

export interface DriftReportOptions {
  readonly window: TimeWindow;
  readonly modelVersion: string | undefined;
  readonly out: string;
}

/** `drift report`: a self-contained HTML drift report from the store the API reads, and the verdict in one line. */
export async function writeDriftReport(context: CliContext, options: DriftReportOptions): Promise<number> {
  const config = context.config();
  const spec = loadModelSpec(config.modelSpecPath);
  const reader = openMonitoringReader(config);
  try {
    const service = createDriftService({ settings: config, spec, reader });
    const { report, current } = await service.analyse(options.window, options.modelVersion);
    writeFileSync(options.out, renderDriftReport(report, spec, service.reference, current));
    const drifted = report.features.filter((f) => f.drift).map((f) => f.feature);
    const verdict = `dataset drift ${report.dataset.drift ? 'YES' : 'no'}${drifted.length ? ` (${drifted.join(', ')})` : ''}`;
    context.out(`wrote ${options.out}: ${report.sample.rows_compared} predictions compared; ${verdict}`);
    return EXIT.ok;
  } catch (error) {
    context.out(`drift report: ${(error as Error).message}`);
    return EXIT.failed;
  } finally {
    await reader.close();
  }
}
