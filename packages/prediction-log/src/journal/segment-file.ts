import { closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import type { PredictionRecord } from '@vigil/records';

/** A journal segment's file name: its number, fixed width, so names sort in write order. */
export const SEGMENT_FILE = /^\d{12}\.jsonl$/;

export function segmentFileName(n: number): string {
  return `${String(n).padStart(12, '0')}.jsonl`;
}

/**
 * The records of a segment file as batches of at most `maxRecords`, in the
 * order they were written. A journal line is one record; a line of the old
 * DiskSpool is `{"records": [...]}`, one batch, kept whole so its replay
 * has the job id (first prediction_id) it had before.
 *
 * Each line went to the kernel in one write(2), so a process crash never
 * tears one; only a machine crash (or a full disk) can leave a torn last
 * line, which is skipped: the lines before it are still good.
 */
export function readSegment<T = PredictionRecord>(path: string, maxRecords: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  const cut = () => {
    if (current.length > 0) batches.push(current);
    current = [];
  };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const legacy = (value as { records?: unknown }).records;
    if (Array.isArray(legacy)) {
      cut();
      if (legacy.length > 0) batches.push(legacy as T[]);
      continue;
    }
    current.push(value as T);
    if (current.length >= maxRecords) cut();
  }
  cut();
  return batches;
}

/** fsync(2) of a directory, so the names of files just created in it survive a machine crash too. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
