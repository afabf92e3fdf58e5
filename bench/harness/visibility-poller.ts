/**
 * Worker thread for the freshness benchmark: polls a SQLite file (read-only)
 * every ~2 ms for rows it has not seen and notes, per prediction_id, when it
 * first saw it (absolute ms, comparable with the main thread's clock). Runs
 * on its own event loop so the load generator cannot delay the polling.
 *
 * workerData: { path: string; intervalMs: number }. Post 'stop' to get back
 * the [prediction_id, seenAtMs][] pairs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 1000');
const newRows = db.prepare<[number], { id: number; prediction_id: string }>('SELECT id, prediction_id FROM predictions WHERE id > ? ORDER BY id');
const seen: [string, number][] = [];
let lastId = 0;
let polls = 0;
let stopped = false;

function look(): void {
  const rows = newRows.all(lastId);
  const at = performance.timeOrigin + performance.now();
  for (const row of rows) seen.push([row.prediction_id, at]);
  if (rows.length > 0) lastId = (rows[rows.length - 1] as { id: number }).id;
  polls += 1;
}

function poll(): void {
  if (stopped) return;
  look();
  setTimeout(poll, intervalMs);
}

parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  stopped = true;
  look();
  db.close();
  parentPort?.postMessage({ seen, polls });
});

// Rows already present when polling starts are not timed: they predate the load.
lastId = (db.prepare<[], number | null>('SELECT max(id) FROM predictions').pluck().get() ?? 0) as number;
poll();
