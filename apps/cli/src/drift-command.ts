import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '@vigil/config';
import { createDriftService, renderDriftReport } from '@vigil/drift';
import { loadModelSpec } from '@vigil/model';
import { parseModelVersion, parseWindow } from '@vigil/monitoring';
import { openMonitoringReader } from '@vigil/stores';

const USAGE = 'usage: npm run cli -- drift report [--window 24h] [--model-version V] --out report.html';

/** `drift report`: a self-contained HTML drift report from the store the API reads. Returns the exit code. */
export async function driftCommand(config: Config, args: readonly string[], out: (line: string) => void): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'report') {
    out(USAGE);
    return 2;
  }
  let values;
  try {
    values = parseArgs({
      args: [...rest],
      options: { window: { type: 'string', default: '24h' }, out: { type: 'string' }, 'model-version': { type: 'string' } },
      strict: true,
    }).values;
    if (values.out === undefined) throw new Error('--out is required');
  } catch (error) {
    out(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const spec = loadModelSpec(config.modelSpecPath);
  const reader = openMonitoringReader(config);
  try {
    const service = createDriftService({ settings: config, spec, reader });
    const { report, current } = await service.analyse(parseWindow(values.window), parseModelVersion(values['model-version']));
    writeFileSync(values.out as string, renderDriftReport(report, spec, service.reference, current));
    const drifted = report.features.filter((f) => f.drift).map((f) => f.feature);
    const verdict = `dataset drift ${report.dataset.drift ? 'YES' : 'no'}${drifted.length ? ` (${drifted.join(', ')})` : ''}`;
    out(`wrote ${values.out}: ${report.sample.rows_compared} predictions compared; ${verdict}`);
    return 0;
  } catch (error) {
    out(`drift report: ${(error as Error).message}`);
    return 1;
  } finally {
    await reader.close();
  }
}
