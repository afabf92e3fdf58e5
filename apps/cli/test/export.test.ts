import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelSpec } from '@vigil/model';
import { SqliteWriter } from '@vigil/stores';
import { fixtureId, predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';
import { runCli } from './support/run-cli';

/** The served model's features: the export's last columns (MODEL_PATH defaults to artifacts/model.onnx). */
const FEATURES = loadModelSpec('artifacts/model.spec.json').features.map((feature) => feature.name);

describe('vigil export from a real SQLite store', function () {
  this.timeout(60_000);
  const tempDir = useTempDirs();

  /**
   * A store of 250 predictions of the last hour, 50 more of another model
   * version, and 20 of ten days ago (outside a 7d window); one of them labeled.
   */
  function store(dir: string): string {
    const path = join(dir, 'monitoring.db');
    const writer = SqliteWriter.open(path);
    try {
      const recent = Date.now() - 3_600_000;
      writer.insertBatch(predictionRecords(250, { fromMs: recent, stepMs: 1000 }));
      writer.insertBatch(predictionRecords(50, { start: 250, fromMs: recent + 500, stepMs: 1000, modelVersion: 'challenger@2.0.0' }));
      writer.insertBatch(predictionRecords(20, { start: 300, fromMs: Date.now() - 10 * 86_400_000 }));
      writer.insertLabels([
        { prediction_id: fixtureId(7), label: 1, labeled_at: new Date(recent + 60_000).toISOString(), received_at: new Date().toISOString() },
      ]);
    } finally {
      writer.close();
    }
    return path;
  }

  it('writes the window as CSV, with progress on stderr and the rows and bytes in the last line', async function () {
    const dir = tempDir('cli-export');
    const env = { SQLITE_PATH: store(dir) };
    const out = join(dir, 'export.csv');
    const run = await runCli(['export', '--window', '7d', '--format', 'csv', '--out', out], env);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    const bytes = statSync(out).size;
    expect(run.stdout).to.match(
      new RegExp(`^wrote ${out}: 300 rows, ${bytes.toLocaleString('en')} bytes \\(\\d+\\.\\d KiB\\); csv, predictions since \\S+Z\\n$`),
    );
    expect(run.stderr).to.match(/^export: \d+% .*rows\n/);
    expect(run.stderr).to.include('export: 100% 300 rows\n');
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split(/\r?\n/);
    expect(header!.split(',')).to.deep.equal([
      'prediction_id',
      'timestamp',
      'model_version',
      'prediction',
      'probability',
      'latency_ms',
      'instance_id',
      'seq',
      ...(header!.includes('trace_id') ? ['trace_id'] : []),
      'label',
      'labeled_at',
      ...FEATURES,
    ]);
    expect(rows).to.have.length(300);
    const ids = rows.map((row) => row.split(',')[0]);
    expect(new Set(ids)).to.deep.equal(new Set(Array.from({ length: 300 }, (_, n) => fixtureId(n))));
    // Nothing left beside it: the export went to a partial file renamed into place.
    expect(readdirSync(dir).filter((name) => name.startsWith('export.csv.'))).to.deep.equal([]);
  });

  it('filters by model version into JSON lines, writes Parquet, and fails with exit 1 on a missing store or an unwritable file', async function () {
    const dir = tempDir('cli-export-formats');
    const env = { SQLITE_PATH: store(dir) };
    const jsonl = join(dir, 'challenger.jsonl');
    const parquet = join(dir, 'all.parquet');
    const [lines, columns, missing, unwritable] = await Promise.all([
      runCli(['export', '--format', 'jsonl', '--model-version', 'challenger@2.0.0', '--out', jsonl], env),
      runCli(['export', '--window', '30d', '--out', parquet], env), // the format from the file name
      runCli(['export', '--format', 'csv', '--out', join(dir, 'x.csv')], { SQLITE_PATH: join(dir, 'absent.db') }),
      runCli(['export', '--format', 'csv', '--out', join(dir, 'no-such-dir', 'x.csv')], env),
    ]);
    expect(lines.code, lines.stdout + lines.stderr).to.equal(0);
    expect(lines.stdout).to.match(/: 50 rows, .*; jsonl, predictions since \S+Z, model version challenger@2\.0\.0\n$/);
    const records = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { model_version: string; features: object });
    expect(records).to.have.length(50);
    expect(records.every((record) => record.model_version === 'challenger@2.0.0' && typeof record.features === 'object')).to.equal(true);

    expect(columns.code, columns.stdout + columns.stderr).to.equal(0);
    expect(columns.stdout).to.match(/: 320 rows, .*; parquet, /);
    const file = readFileSync(parquet);
    expect(file.subarray(0, 4).toString()).to.equal('PAR1');
    expect(file.subarray(-4).toString()).to.equal('PAR1');

    expect(missing.code).to.equal(1);
    expect(missing.stdout).to.equal(`export: no monitoring store at ${join(dir, 'absent.db')} (SQLITE_PATH)\n`);
    expect(unwritable.code).to.equal(1);
    expect(unwritable.stdout).to.match(/^export: ENOENT/);
  });
});
