/**
 * Baseline: the seed's design. Each prediction is written to SQLite by the
 * API process itself, one INSERT (its own transaction) per prediction, off
 * the response path with setImmediate, as the seed did with a background
 * thread. Env: PORT, SQLITE_PATH.
 */
import { openBaselineSqlite } from './baseline-sqlite';
import { serveBaseline } from './baseline-app';

const path = process.env.SQLITE_PATH;
if (path === undefined) throw new Error('seed-sqlite-app: SQLITE_PATH is required');
const { insert } = openBaselineSqlite(path);
let failures = 0;

await serveBaseline('seed-sqlite-app', (record) => {
  setImmediate(() => {
    try {
      insert(record);
    } catch (error) {
      // The seed's logger never throws at the caller; it counts and moves on.
      if (failures++ < 5) process.stderr.write(`seed-sqlite-app: insert failed: ${(error as Error).message}\n`);
    }
  });
});
