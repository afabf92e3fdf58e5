// One export of the export benchmark, in a process of its own so its peak RSS is the export's alone:
//   tsx bench/benchmarks/export-run.ts <sqlite path> <vigil|baseline> <format> <sinceIso> <out path> <feature names, comma-separated>
// Prints one JSON line: rows, bytes, seconds, the RSS at the start and the peak (ru_maxrss), in MB.
import { closeSync, createWriteStream, openSync, statSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SqliteExportSource, writeExport, type ExportFormat } from '@vigil/export';

const [path, mode, format, sinceIso, out, features] = process.argv.slice(2) as [string, 'vigil' | 'baseline', ExportFormat, string, string, string];

/**
 * The baseline: the same rows (the same SELECT, the current label joined) iterated with
 * better-sqlite3 and written as JSON lines by hand, 1 MB at a time with writeSync: no batches,
 * no backpressure, no yielding to the event loop, no formatting library.
 */
function baseline(): { rows: number; bytes: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const fd = openSync(out, 'w');
  let rows = 0;
  let chunk = '';
  const statement = db.prepare<[string], Record<string, string | number | null>>(
    `SELECT p.prediction_id, p.timestamp, p.model_version, p.prediction, p.probability, p.latency_ms, p.instance_id, p.seq,
            l.label, l.labeled_at, p.features
     FROM predictions p LEFT JOIN labels l ON l.prediction_id = p.prediction_id WHERE p.timestamp >= ? ORDER BY p.timestamp, p.id`,
  );
  for (const r of statement.iterate(sinceIso)) {
    chunk +=
      `{"prediction_id":"${r.prediction_id}","timestamp":"${r.timestamp}","model_version":"${r.model_version}","prediction":${r.prediction},` +
      `"probability":${r.probability},"latency_ms":${r.latency_ms},"instance_id":${r.instance_id === null ? 'null' : `"${r.instance_id}"`},` +
      `"seq":${r.seq},"label":${r.label},"labeled_at":${r.labeled_at === null ? 'null' : `"${r.labeled_at}"`},"features":${r.features}}\n`;
    rows += 1;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  db.close();
  return { rows, bytes: statSync(out).size };
}

async function vigil(): Promise<{ rows: number; bytes: number }> {
  const source = new SqliteExportSource(path);
  try {
    return await writeExport(source, { format, query: { sinceIso }, featureNames: features.split(',') }, createWriteStream(out));
  } finally {
    source.close();
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const rssStartMb = mb(process.memoryUsage().rss);
const started = performance.now();
const result = mode === 'baseline' ? baseline() : await vigil();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ ...result, seconds, rssStartMb, rssPeakMb: mb(process.resourceUsage().maxRSS * 1024) })}\n`);
