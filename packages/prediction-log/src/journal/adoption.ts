import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { segmentBytes, segmentCount } from './adopted-tree';
import { sameDestination, type JournalDestination } from './destination';
import { INSTANCES_DIR, leaseAgeMs, readOwner } from './instance-directory';

/** A dead instance's journal that this logger must not replay: it was going to another queue or Redis. */
export interface ForeignJournal {
  readonly instanceId: string;
  /** Where its records were going; undefined when its owner.json is missing or unreadable. */
  readonly destination: JournalDestination | undefined;
  /** Segment files it holds (its own adoptions included). */
  readonly segments: number;
  readonly dir: string;
}

export interface ClaimedJournal {
  readonly instanceId: string;
  readonly segments: number;
  readonly bytes: number;
}

export interface ScanResult {
  readonly claimed: readonly ClaimedJournal[];
  readonly foreign: readonly ForeignJournal[];
}

export interface Scanner {
  readonly root: string;
  readonly instanceId: string;
  readonly destination: JournalDestination;
  readonly leaseMs: number;
  /** Where claimed directories go: the scanner's own `adopted/`. */
  readonly adoptedDir: string;
}

/**
 * Looks at every other instance directory on the volume. One whose lease
 * has not been refreshed for `leaseMs` belongs to a dead process: if it was
 * going to our destination it is claimed by renaming it into our own
 * `adopted/` (rename is atomic on one filesystem, so of several loggers
 * racing for it exactly one wins and the others get ENOENT); otherwise it
 * is reported and left for a logger of its own deployment. Live ones are
 * left alone. The hostname and pid play no part: a container recreated
 * under another name, or on another host sharing the volume, still adopts.
 */
export function scanInstances(scanner: Scanner, now = Date.now()): ScanResult {
  const claimed: ClaimedJournal[] = [];
  const foreign: ForeignJournal[] = [];
  const instancesDir = join(scanner.root, INSTANCES_DIR);
  let names: string[];
  try {
    names = readdirSync(instancesDir).sort();
  } catch {
    return { claimed, foreign };
  }
  for (const name of names) {
    if (name === scanner.instanceId) continue;
    const dir = join(instancesDir, name);
    const age = leaseAgeMs(dir, now);
    if (age === undefined || age < scanner.leaseMs) continue;
    const owner = readOwner(dir);
    if (owner !== undefined && sameDestination(owner.destination, scanner.destination)) {
      const target = join(scanner.adoptedDir, name);
      try {
        renameSync(dir, target);
      } catch {
        continue; // another logger claimed it first
      }
      claimed.push({ instanceId: name, segments: segmentCount(target), bytes: segmentBytes(target) });
    } else if (existsSync(dir)) {
      const segments = segmentCount(dir);
      if (segments > 0) foreign.push({ instanceId: name, destination: owner?.destination, segments, dir });
    }
  }
  return { claimed, foreign };
}
