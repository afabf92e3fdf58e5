import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadDriftConfig } from '@vigil/drift';
import { initModel, ModelError, ModelInitError, type InitModelOptions, type ModelSpec } from '@vigil/model';
import type { CliContext } from '../program/cli-context';
import { EXIT } from '../program/exit-codes';
import { initReport } from './init-report';

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

/** `model init`: a served model's spec and references from the model and a sample; what was inferred, printed. */
export async function runModelInit(context: CliContext, options: InitModelOptions): Promise<number> {
  try {
    const result = await initModel(options);
    for (const line of initReport(result, options.modelPath, driftConfigNote(options.modelPath, result.spec))) context.out(line);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ModelInitError || error instanceof ModelError) {
      context.out(`model init: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
}
