import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { openSqlite } from '@vigil/stores';
import { ResultBuilder, type Benchmark, type BenchContext } from '../harness/context';
import { BenchResources } from '../harness/resources';
import { round } from '../harness/stats';

const METHOD = [
  'A SQLite file is filled with synthetic predictions spread evenly over the last 7 days (10,000,000 full / 200,000 quick; features from',
  '`artifacts/reference.json`, an instance id and seq on each) with a raw batched INSERT, as monitoring-queries seeds, and every 10th',
  'prediction gets a label in the labels table. Each format is then exported in a process of its own (`bench/benchmarks/export-run.ts`):',
  "@vigil/export's `writeExport` from a `SqliteExportSource` over the whole window to a file (`fs.createWriteStream`), timed from the",
  "first query to the file's last byte, with the process's peak RSS (ru_maxrss). Baseline, in the same run: the same SELECT (each row with",
  'its label) iterated with better-sqlite3 and written as JSON lines by hand, 1 MB at a time with writeSync (no batches, no backpressure,',
  'no event-loop turns, no formatting library). Flat memory: the same exports over a smaller window (a tenth of the rows in a full run,',
  "half in a quick one, where a tenth is too few rows to be past warm-up), whose peak RSS the whole window's is compared with.",
].join(' ');

const DAY_MS = 86_400_000;
const RUN = fileURLToPath(new URL('./export-run.ts', import.meta.url));
const FORMATS = ['csv', 'jsonl', 'parquet'] as const;

interface Run {
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly rssStartMb: number;
  readonly rssPeakMb: number;
}

/** `rows` predictions over the 7 days before `now`, ids in time order; a label on every 10th. One prepared INSERT, 50,000 rows a transaction. */
function fill(path: string, rows: number, now: number, smallerShare: number): { sinceIso: string; smallerIso: string } {
  openSqlite(path).close(); // the product's schema and migrations
  const reference = (JSON.parse(readFileSync('artifacts/reference.json', 'utf8')) as { rows: unknown[] }).rows.map((r) => JSON.stringify(r));
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    `INSERT INTO predictions (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, created_at, instance_id, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const label = db.prepare('INSERT INTO labels (prediction_id, label, labeled_at, received_at, version) VALUES (?, ?, ?, ?, 1)');
  const start = now - 7 * DAY_MS;
  const step = (7 * DAY_MS) / rows;
  const createdAt = new Date(now).toISOString();
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = `01900000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
      const timestamp = new Date(start + i * step).toISOString();
      const probability = ((i * 7919) % 10_000) / 10_000;
      insert.run(
        id,
        timestamp,
        'fraud-detection-model@1.0.0',
        reference[i % reference.length],
        probability >= 0.5 ? 1 : 0,
        probability,
        0.3 + (i % 100) / 50,
        createdAt,
        'api-1',
        i + 1,
      );
      if (i % 10 === 0) label.run(id, i % 20 === 0 ? 1 : 0, timestamp, createdAt);
    }
  });
  for (let i = 0; i < rows; i += 50_000) batch(i, Math.min(rows, i + 50_000));
  db.close();
  return { sinceIso: new Date(start).toISOString(), smallerIso: new Date(start + (1 - smallerShare) * 7 * DAY_MS).toISOString() };
}

async function run(path: string, mode: 'vigil' | 'baseline', format: string, sinceIso: string, out: string, features: readonly string[]): Promise<Run> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', RUN, path, mode, format, sinceIso, out, features.join(',')], {
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Run;
  if (statSync(out).size !== result.bytes) throw new Error(`${mode} ${format}: the file holds ${statSync(out).size} bytes, the export said ${result.bytes}`);
  rmSync(out);
  return result;
}

export const exportBenchmark: Benchmark = {
  name: 'export',
  async run(ctx: BenchContext) {
    const rows = ctx.quick ? 200_000 : 10_000_000;
    const result = new ResultBuilder(ctx, 'export', `export: streaming ${rows.toLocaleString('en-US')} predictions to CSV, JSON lines and Parquet`, METHOD);
    const resources = new BenchResources('export');
    try {
      const path = resources.path('monitoring.db');
      const filled = performance.now();
      // A tenth of 200,000 rows is about one Parquet row group: too few for the heap to be past warm-up, so quick runs compare with half.
      const smallerShare = ctx.quick ? 0.5 : 0.1;
      const { sinceIso, smallerIso } = fill(path, rows, Date.now(), smallerShare);
      const fillSeconds = (performance.now() - filled) / 1000;
      ctx.log(`export: ${rows} rows written in ${round(fillSeconds)} s (${round(statSync(path).size / 1024 / 1024)} MB)`);
      result.details.rows = rows;
      result.details.fillSeconds = round(fillSeconds, 1);
      result.details.sqliteMb = round(statSync(path).size / 1024 / 1024, 1);
      const features = (JSON.parse(readFileSync('artifacts/model.spec.json', 'utf8')) as { features: { name: string }[] }).features.map((f) => f.name);

      const baseline = await run(path, 'baseline', 'jsonl', sinceIso, resources.path('baseline.jsonl'), features);
      ctx.log(`export: baseline ${baseline.rows} rows in ${round(baseline.seconds, 1)} s`);
      result.details.baseline = baseline;
      const baselineRate = baseline.rows / baseline.seconds;
      const runs: Record<string, { whole: Run; smaller: Run }> = {};
      const smallerRows = Math.round(rows * smallerShare).toLocaleString('en-US');
      for (const format of FORMATS) {
        const whole = await run(path, 'vigil', format, sinceIso, resources.path(`export.${format}`), features);
        if (whole.rows !== rows) throw new Error(`export ${format} wrote ${whole.rows} rows of ${rows}`);
        const smaller = await run(path, 'vigil', format, smallerIso, resources.path(`smaller.${format}`), features);
        ctx.log(
          `export: ${format} ${whole.rows} rows in ${round(whole.seconds, 1)} s, peak RSS ${whole.rssPeakMb} MB ` +
            `(${smaller.rows} rows: ${smaller.rssPeakMb} MB)`,
        );
        runs[format] = { whole, smaller };
        const rate = whole.rows / whole.seconds;
        result.figure({
          figure: `${format}: rows per second, ${rows.toLocaleString('en-US')} rows to a file`,
          unit: 'rows/s',
          vigil: Math.round(rate),
          baselineName: 'raw iterate + hand-written JSON lines',
          baseline: Math.round(baselineRate),
          ratio: round(rate / baselineRate, 2),
        });
        result.figure({ figure: `${format}: bytes per row`, unit: 'B', vigil: round(whole.bytes / whole.rows, 1) });
        result.figure({
          figure: `${format}: peak RSS, ${rows.toLocaleString('en-US')} rows vs ${smallerRows}`,
          unit: 'MB',
          vigil: whole.rssPeakMb,
          baselineName: `${smallerRows} rows`,
          baseline: smaller.rssPeakMb,
          ratio: round(whole.rssPeakMb / smaller.rssPeakMb, 2),
          target: '≤ 1.25 (flat)',
          pass: whole.rssPeakMb / smaller.rssPeakMb <= 1.25,
        });
      }
      result.figure({ figure: 'baseline: peak RSS', unit: 'MB', vigil: baseline.rssPeakMb });
      result.details.runs = runs;
      result.note(`Every export process starts at about ${Math.round(runs.csv!.whole.rssStartMb)} MB (Node, tsx and the modules); peak RSS includes that.`);
      return result.build();
    } finally {
      await resources.cleanUp();
    }
  },
};
