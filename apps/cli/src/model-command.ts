import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadDriftConfig } from '@vigil/drift';
import { initModel, ModelError, ModelInitError, type ModelSpec } from '@vigil/model';
import { parseInitOptions } from './model/init-options';
import { initReport } from './model/init-report';
import { REPLAY_USAGE, replayCommand } from './model/replay-command';
import type { ProgressStream } from './feedback/progress';
import type { Config } from '@vigil/config';

const USAGE = `usage: npm run cli -- model init <model.onnx> --sample <sample.csv> [--threshold 0.5] [--version name@1.0.0]
         [--label column] [--exclude a,b] [--input column=input] [--categories column=a,b,c] [--output name] [--force]
  Infers the spec of an ONNX binary classifier from its inputs and outputs and a CSV sample of the data it takes (a header, then rows),
  loads the model with it and scores the sample, then writes beside the model: <model>.spec.json, reference.json (for drift) and,
  with --label, quality-reference.json (for CBPE estimates).
  --threshold   probability at and above which the prediction is 1 (default 0.5)
  --version     model_version (default <file stem>@1.0.0)
  --label       the sample's label column (1/0, true/false, yes/no): not a feature; its labels and the scores make quality-reference.json
  --exclude     columns that are not features (ids, timestamps)
  --input       per-feature models: the model input a column feeds, when not named like the column (repeatable)
  --categories  a categorical column's categories in the model's one-hot order (default: sorted, as scikit-learn and pandas do; repeatable)
  --output      the output holding the probability, when it is neither a ZipMap nor named like prob*
  --force       replace a spec or references already beside the model
  exit: 0 written, 1 no spec could be made from this model and sample (the message says why), 2 usage`;

/** A drift config already beside the model must fit the new features, or serving stops at start-up: say so now. */
function driftConfigNote(modelPath: string, spec: ModelSpec): string[] {
  const path = join(dirname(modelPath), 'drift.config.json');
  if (!existsSync(path)) return [`note: no ${path}: drift uses the built-in defaults (those of artifacts/drift.config.json) for these features`];
  try {
    loadDriftConfig(path, spec.features);
    return [];
  } catch (error) {
    return [`warning: ${path} does not fit the new spec, and serving will stop at start-up until it does: ${(error as Error).message}`];
  }
}

/** `model init` (a served model's spec and references from the model and a sample) and `model replay`. Returns the exit code. */
export async function modelCommand(config: Config, args: readonly string[], io: { out: (line: string) => void; progress: ProgressStream }): Promise<number> {
  const out = io.out;
  const [verb, ...rest] = args;
  if (verb === '--help' || verb === '-h') {
    out(USAGE);
    out(REPLAY_USAGE);
    return 0;
  }
  if (verb === 'replay') return replayCommand(config, rest, io);
  if (verb !== 'init') {
    out(`model: ${verb === undefined ? 'missing verb' : `unknown verb ${verb}`}`);
    out(USAGE);
    return 2;
  }
  const parsed = parseInitOptions(rest);
  if ('help' in parsed) {
    out(USAGE);
    return 0;
  }
  if ('problem' in parsed) {
    out(`model init: ${parsed.problem}`);
    out(USAGE);
    return 2;
  }
  try {
    const result = await initModel(parsed.options);
    for (const line of initReport(result, parsed.options.modelPath, driftConfigNote(parsed.options.modelPath, result.spec))) out(line);
    return 0;
  } catch (error) {
    if (error instanceof ModelInitError || error instanceof ModelError) {
      out(`model init: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
