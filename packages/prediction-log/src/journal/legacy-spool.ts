import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The upgrade path from the DiskSpool of earlier versions, which wrote
 * `<time>-<seq>-<host>.<pid>.open|ready` files straight into SPOOL_DIR, one
 * batch a line, and said nothing of their destination. They are adopted as
 * that spool did: only on the host that wrote them, once their pid is gone.
 * Nothing writes this layout any more, so this file can go once no volume
 * holds such files (drain the spool before an upgrade to skip it entirely).
 */
export const LEGACY_SEGMENT_FILE = /^\d+-\d+-([A-Za-z0-9_]+)\.(\d+)\.(?:open|ready)$/;

const HOST = hostname().replace(/[^A-Za-z0-9_]/g, '_') || 'host';

/** Whether the pid may still be an old-version writer on this host. */
function mayBeWriting(pid: number): boolean {
  // Our own pid can only be a previous process's (this version writes no such files): in a
  // container restarted under the same hostname every API is pid 1, and its old files are orphans.
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the old spool's orphaned files of this host into `intoDir` (one
 * rename each: of two adopters, one wins), and says how many and how big.
 */
export function adoptLegacySegments(spoolDir: string, intoDir: string): { files: number; bytes: number } {
  let bytes = 0;
  let files = 0;
  let names: string[];
  try {
    names = readdirSync(spoolDir);
  } catch {
    return { files, bytes };
  }
  for (const name of names) {
    const match = LEGACY_SEGMENT_FILE.exec(name);
    if (match === null || match[1] !== HOST || mayBeWriting(Number(match[2]))) continue;
    try {
      mkdirSync(intoDir, { recursive: true });
      renameSync(join(spoolDir, name), join(intoDir, name));
      files += 1;
      bytes += statSync(join(intoDir, name)).size;
    } catch {
      // another logger adopted it first
    }
  }
  return { files, bytes };
}
