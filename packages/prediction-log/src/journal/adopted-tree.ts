import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ADOPTED_DIR } from './instance-directory';
import { LEGACY_SEGMENT_FILE } from './legacy-spool';
import { SEGMENT_FILE } from './segment-file';

/**
 * The directories an instance adopted sit under its own `adopted/`, each one
 * whole, with its own `adopted/` of the instances *it* had adopted: when an
 * adopter dies mid-replay, the next one takes the lot with a single rename.
 * These functions read such a tree; nothing writes into an adopted directory
 * (its owner is dead), so what they see stays put while it is replayed.
 */

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The segment files of one instance directory (or of the legacy one), nested adoptions first, each in write order. */
export function directorySegments(dir: string): string[] {
  const nested = entries(join(dir, ADOPTED_DIR)).flatMap((child) => directorySegments(join(dir, ADOPTED_DIR, child)));
  const own = entries(dir)
    .filter((name) => SEGMENT_FILE.test(name) || LEGACY_SEGMENT_FILE.test(name))
    .map((name) => join(dir, name));
  return [...nested, ...own];
}

/** Every segment waiting under `adoptedDir`, in replay order: directory by directory, each one's segments in the order they were written. */
export function adoptedSegments(adoptedDir: string): string[] {
  return entries(adoptedDir).flatMap((child) => directorySegments(join(adoptedDir, child)));
}

/** Bytes of the segments in an instance directory, its adoptions included. */
export function segmentBytes(dir: string): number {
  return directorySegments(dir).reduce((sum, path) => sum + sizeOf(path), 0);
}

/** Segment files in an instance directory, its adoptions included. */
export function segmentCount(dir: string): number {
  return directorySegments(dir).length;
}

export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Removes the adopted directories whose every segment has been replayed (their owner.json, lease and empty `adopted/`). */
export function pruneReplayed(adoptedDir: string): void {
  for (const child of entries(adoptedDir)) {
    const dir = join(adoptedDir, child);
    if (directorySegments(dir).length === 0) rmSync(dir, { recursive: true, force: true });
  }
}
