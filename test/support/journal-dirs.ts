// Reading the prediction logger's journal on disk (SPOOL_DIR), for tests of @vigil/prediction-log.
// Only node:fs and types at run time, so unit tests can import it without Redis.
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { PredictionRecord } from '@vigil/records';

/** The directory a logger instance owns under SPOOL_DIR (the layout of packages/prediction-log/src/journal/instance-directory.ts). */
export function instanceDir(spoolDir: string, instanceId: string): string {
  return join(spoolDir, 'instances', instanceId);
}

/** Instance ids with a directory under SPOOL_DIR/instances. */
export function instanceIds(spoolDir: string): string[] {
  const dir = join(spoolDir, 'instances');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Segment files (`<n>.jsonl`) directly in an instance directory, in write order. */
export function segmentFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => /^\d{12}\.jsonl$/.test(name))
        .sort()
    : [];
}

/** Ids of the instance directories an instance adopted (its `adopted/`). */
export function adoptedIds(dir: string): string[] {
  const adopted = join(dir, 'adopted');
  return existsSync(adopted) ? readdirSync(adopted).sort() : [];
}

/**
 * Every record journaled in an instance directory, in replay order: the
 * directories it adopted first (recursively), then its own segments. Lines
 * of the old spool (`{"records": [...]}`) count as their records.
 */
export function journaledRecords(dir: string): PredictionRecord[] {
  const records: PredictionRecord[] = [];
  for (const child of adoptedIds(dir)) records.push(...journaledRecords(join(dir, 'adopted', child)));
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.jsonl') || /\.(open|ready)$/.test(name)) : [];
  for (const name of files.sort()) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      const value = JSON.parse(line) as PredictionRecord | { records: PredictionRecord[] };
      if ('records' in value) records.push(...value.records);
      else records.push(value);
    }
  }
  return records;
}

/** The lease's age: how long ago the owner last refreshed it. */
export function leaseAgeMs(dir: string): number {
  return Date.now() - statSync(join(dir, 'lease')).mtimeMs;
}

/** Sets the lease's mtime `ageMs` in the past: as if its owner had stopped (died) that long ago, or just refreshed it (0). */
export function ageLease(dir: string, ageMs: number): void {
  const at = new Date(Date.now() - ageMs);
  utimesSync(join(dir, 'lease'), at, at);
}

/** The owner.json of an instance directory. */
export function ownerOf(dir: string): { instance_id: string; destination: { queue: string; redis: string } } {
  return JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as { instance_id: string; destination: { queue: string; redis: string } };
}
