import { writeFileSync } from 'node:fs';
import { loadReference } from '@vigil/drift';
import { ModelError } from '@vigil/model';
import { loadQualityCalibration, type TimeWindow } from '@vigil/monitoring';
import { SqliteShadowReader } from '@vigil/stores';
import { createProgress } from '@vigil/progress';
import type { CliContext } from '../program/cli-context';
import { EXIT } from '../program/exit-codes';
import { replayCandidate } from './replay';
import { renderReplayReport } from './replay-report';

export interface ReplayOptions {
  readonly window: TimeWindow;
  readonly out: string;
}

/**
 * `model replay <candidate.onnx>`: the stored predictions of the window
 * rescored through a candidate, compared with the champion that served
 * them; the figures as JSON on stdout, the HTML report in `out`.
 */
export async function runModelReplay(context: CliContext, candidatePath: string, options: ReplayOptions): Promise<number> {
  const config = context.config();
  const window = options.window;
  const reader = SqliteShadowReader.open(config.sqlitePath);
  try {
    const since = new Date(Date.now() - window.ms).toISOString();
    const total = reader.championPredictions(since);
    const progress = createProgress(context.stderr, total, context.out, 'replay');
    const calibration = loadQualityCalibration(config).calibrator;
    const result = await replayCandidate({
      candidatePath,
      rows: reader.storedPredictions(since),
      champion: { probabilities: loadReference(config.referencePath).probabilities, calibrator: 'unavailable' in calibration ? undefined : calibration },
      progress,
    });
    progress.finish(`${result.scored} scored, ${result.refused} refused`);
    writeFileSync(options.out, renderReplayReport(result, window.label, new Date().toISOString()));
    context.out(JSON.stringify(result, null, 2));
    context.out(`report written to ${options.out}`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ModelError) {
      context.out(`model replay: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  } finally {
    reader.close();
  }
}
