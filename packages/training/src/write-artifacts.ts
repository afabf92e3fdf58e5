import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelCardMarkdown } from './model-card';
import { buildQualityReference, formatQualityReference } from './quality-reference';
import { formatJson } from './stable-json';
import type { TrainedModel } from './train-model';

export const ARTIFACT_FILES = ['model.onnx', 'model.spec.json', 'model-card.json', 'model-card.md', 'reference.json', 'quality-reference.json'] as const;

/** Writes the artifacts into `outDir` (created if missing) and returns their paths. */
export function writeArtifacts(model: TrainedModel, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const contents: Record<(typeof ARTIFACT_FILES)[number], string | Uint8Array> = {
    'model.onnx': model.onnx,
    'model.spec.json': formatJson(model.spec),
    'model-card.json': formatJson(model.card),
    'model-card.md': modelCardMarkdown(model.card),
    'reference.json': formatJson(model.reference),
    // The held-out rows' probabilities and labels, for CBPE's calibration (@vigil/quality).
    'quality-reference.json': formatQualityReference(buildQualityReference(model)),
  };
  return ARTIFACT_FILES.map((name) => {
    const path = join(outDir, name);
    writeFileSync(path, contents[name]);
    return path;
  });
}
