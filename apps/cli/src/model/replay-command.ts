import { writeFileSync } from 'node:fs';
import type { Config } from '@vigil/config';
import { loadReference } from '@vigil/drift';
import { ModelError } from '@vigil/model';
import { loadQualityCalibration, parseWindow } from '@vigil/monitoring';
import { SqliteShadowReader } from '@vigil/stores';
import { createProgress, type ProgressStream } from '../feedback/progress';
import { replayCandidate } from './replay';
import { renderReplayReport } from './replay-report';

export const REPLAY_USAGE = `usage: npm run cli -- model replay <candidate.onnx> [--window 7d] [--out replay-report.html]
  Scores the features of the predictions stored in SQLITE_PATH over the window through a candidate model (its spec beside it)
  and compares it with the champion that served them: agreement, probability differences, fraud rates, output drift against each
  model's reference, realized quality on the labeled rows and CBPE estimates where a quality reference exists. Writes an HTML report
  and prints the figures as JSON. No live traffic needed.
  exit: 0 written, 1 the candidate cannot be loaded (the message says why), 2 usage`;

function parseReplayArgs(args: readonly string[]): { candidate: string; window: string; out: string } | { problem: string } | { help: true } {
  let candidate: string | undefined;
  let window = '7d';
  let out = 'replay-report.html';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--window' || arg === '--out') {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) return { problem: `${arg} needs a value` };
      if (arg === '--window') window = value;
      else out = value;
    } else if (arg.startsWith('-')) return { problem: `unknown option ${arg}` };
    else if (candidate === undefined) candidate = arg;
    else return { problem: `unexpected argument ${arg}` };
  }
  return candidate === undefined ? { problem: 'the candidate model path is missing' } : { candidate, window, out };
}

/** `model replay`: returns the exit code. */
export async function replayCommand(config: Config, args: readonly string[], io: { out: (line: string) => void; progress: ProgressStream }): Promise<number> {
  const parsed = parseReplayArgs(args);
  if ('help' in parsed) {
    io.out(REPLAY_USAGE);
    return 0;
  }
  const usageError = (problem: string) => {
    io.out(`model replay: ${problem}`);
    io.out(REPLAY_USAGE);
    return 2;
  };
  if ('problem' in parsed) return usageError(parsed.problem);
  let window;
  try {
    window = parseWindow(parsed.window);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const reader = SqliteShadowReader.open(config.sqlitePath);
  try {
    const since = new Date(Date.now() - window.ms).toISOString();
    const total = reader.championPredictions(since);
    const progress = createProgress(io.progress, total, io.out, 'replay');
    const calibration = loadQualityCalibration(config).calibrator;
    const result = await replayCandidate({
      candidatePath: parsed.candidate,
      rows: reader.storedPredictions(since),
      champion: { probabilities: loadReference(config.referencePath).probabilities, calibrator: 'unavailable' in calibration ? undefined : calibration },
      progress,
    });
    progress.finish(`${result.scored} scored, ${result.refused} refused`);
    writeFileSync(parsed.out, renderReplayReport(result, window.label, new Date().toISOString()));
    io.out(JSON.stringify(result, null, 2));
    io.out(`report written to ${parsed.out}`);
    return 0;
  } catch (error) {
    if (error instanceof ModelError) {
      io.out(`model replay: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    reader.close();
  }
}
