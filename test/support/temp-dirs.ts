import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Call inside a `describe`: returns a maker of fresh temporary directories
 * (for a test's own SQLite file or spool) and removes every one it made after
 * each test of that describe, whether the test passed or not.
 */
export function useTempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterEach(function () {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), `vigil-${prefix}-`));
    made.push(dir);
    return dir;
  };
}
