import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { DriftReferenceFile, QualityReferenceFile } from './reference-files';
import type { ModelSpec } from '../model-spec';

/** A spec as people read and edit it: two-space JSON, a newline at the end. */
export function formatSpec(spec: ModelSpec): string {
  return JSON.stringify(spec, null, 2) + '\n';
}

/** A reference with one row per line (as artifacts/reference.json), so a diff of two shows which rows changed. */
export function formatDriftReference(reference: DriftReferenceFile): string {
  const head = `{\n  "model_version": ${JSON.stringify(reference.model_version)},\n  "source": ${JSON.stringify(reference.source)},\n`;
  const rows = reference.rows.map((row) => `    ${JSON.stringify(row)}`).join(',\n');
  return `${head}  "rows": [\n${rows}\n  ],\n  "probabilities": ${JSON.stringify(reference.probabilities)}\n}\n`;
}

export function formatQualityReference(reference: QualityReferenceFile): string {
  const { probability, label, ...head } = reference;
  const fields = Object.entries(head).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return `{\n${fields.join(',\n')},\n  "probability": ${JSON.stringify(probability)},\n  "label": ${JSON.stringify(label)}\n}\n`;
}

/**
 * Files written side by side under temporary names and renamed into place
 * together at the end, so a failed `model init` leaves no half-written spec
 * or a reference of a spec that was never written.
 */
export class StagedFiles {
  private readonly staged: { readonly temporary: string; readonly final: string }[] = [];

  /** Writes `text` under a temporary name beside `path`, and returns that name. */
  stage(path: string, text: string): string {
    const temporary = `${path}.init-${process.pid}.tmp`;
    writeFileSync(temporary, text);
    this.staged.push({ temporary, final: path });
    return temporary;
  }

  commit(): void {
    for (const { temporary, final } of this.staged.splice(0)) renameSync(temporary, final);
  }

  discard(): void {
    for (const { temporary } of this.staged.splice(0)) rmSync(temporary, { force: true });
  }
}
