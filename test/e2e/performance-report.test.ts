import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '@vigil/config';
import { loadQualityCalibrator, parseWindow, PerformanceService, type Performance } from '@vigil/monitoring';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { AuditShipper } from '@vigil/audit';
import { PostgresQualityReader, PostgresStore, SqliteQualityReader, SqliteWriter } from '@vigil/stores';
import { predictionRecord } from '../support/fixtures/prediction-records';
import { useTempDirs } from '../support/temp-dirs';
import { seededUniform as random } from '../support/prng';
import { dropSchema, POSTGRES_URL } from '../support/test-env';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A model version that would run a script if the report did not escape it. */
const HOSTILE_VERSION = 'evil"<script>alert(1)</script>';

const cli = (sqlitePath: string, ...args: string[]) => cliWith({ SQLITE_PATH: sqlitePath }, ...args);

const cliWith = (settings: Record<string, string>, ...args: string[]) =>
  new Promise<CliRun>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'apps/cli/src/main.ts', 'performance', ...args],
      { env: { ...process.env, ...settings } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number((error as { code?: unknown }).code), stdout, stderr }),
    );
  });

/** The value the report wrote for one figure (data-metric / data-value), as the number it stands for. */
function reported(html: string, metric: string): number | null {
  const match = new RegExp(`data-metric="${metric}" data-value="([^"]*)"`).exec(html);
  expect(match, `${metric} in the report`).to.not.equal(null);
  return match![1] === '' ? null : Number(match![1]);
}

describe('cli performance report over a real SQLite store', function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();

  it('writes a self-contained report whose figures are PerformanceService’s for the same rows, escaped, exit 0', async function () {
    const dir = tempDir('performance-report');
    const path = join(dir, 'monitoring.db');
    const now = Date.now();
    const next = random(21);
    // 800 fraud-shaped predictions over the last 5 hours; labels for about two thirds, drawn from the probabilities, minutes to hours later.
    const predictions: PredictionRecord[] = Array.from({ length: 800 }, (_, i) => {
      const fraud = next() < 0.1;
      const probability = fraud ? 0.4 + 0.6 * next() : 0.3 * next() * next();
      return predictionRecord({
        timestamp: new Date(now - 5 * 60_000 - Math.floor(next() * 5 * 3_600_000)).toISOString(),
        model_version: i % 10 === 0 ? HOSTILE_VERSION : 'fraud-detection-model@1.0.0',
        probability,
        prediction: probability >= 0.5 ? 1 : 0,
      });
    });
    const labels: LabelRecord[] = predictions
      .filter(() => next() < 0.67)
      .map((p) => {
        const labeledAt = new Date(Date.parse(p.timestamp) + (60 + next() * 7200) * 1000).toISOString();
        return { prediction_id: p.prediction_id, label: next() < p.probability ? 1 : 0, labeled_at: labeledAt, received_at: labeledAt };
      });
    const writer = SqliteWriter.open(path);
    writer.insertBatch(predictions);
    writer.insertLabels(labels);
    writer.close();

    // What the API's GET /monitoring/performance would answer for these rows: the same service over the same store and reference.
    const config = loadConfig({ ...process.env, SQLITE_PATH: path });
    const { calibrator } = loadQualityCalibrator(config.qualityReferencePath);
    const reader = SqliteQualityReader.open(path);
    let expected: Performance;
    try {
      expected = await new PerformanceService(reader, calibrator).performance(parseWindow('24h'), undefined, undefined);
    } finally {
      reader.close();
    }
    // And the exact counts from the rows themselves, so a service and report that agreed on a wrong figure would still fail.
    const labelOf = new Map(labels.map((l) => [l.prediction_id, l.label]));
    let tp = 0;
    let fp = 0;
    for (const p of predictions) {
      if (p.prediction === 1 && labelOf.has(p.prediction_id)) labelOf.get(p.prediction_id) === 1 ? tp++ : fp++;
    }
    expect(tp, 'the fixture needs fraud caught').to.be.greaterThan(10);
    expect(expected.realized.precision).to.equal(tp / (tp + fp));

    const out = join(dir, 'report.html');
    const run = await cli(path, 'report', '--window', '24h', '--bucket', '1h', '--out', out);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.include(`wrote ${out}: 800 predictions, ${labels.length} labeled`);
    const html = readFileSync(out, 'utf8');
    expect(reported(html, 'realized-precision')).to.equal(expected.realized.precision);
    expect(html).to.include(`>${expected.realized.precision!.toFixed(4)}<`);
    for (const metric of ['recall', 'f1', 'roc_auc'] as const) {
      expect(reported(html, `realized-${metric}`), metric).to.equal(expected.realized[metric]);
      expect(reported(html, `estimated-${metric}`), metric).to.equal(expected.estimated[metric]);
      expect(reported(html, `gap-${metric}`), metric).to.equal(expected.gap[metric]);
    }
    for (const count of ['tp', 'fp', 'tn', 'fn'] as const) expect(reported(html, `realized-${count}`), count).to.equal(expected.realized[count]);
    expect(reported(html, 'label_coverage')).to.equal(expected.label_coverage);
    expect(reported(html, 'label_delay_p95')).to.equal(expected.label_delay_seconds.p95);
    expect(html).to.include(`± ${expected.estimated.sampling_error.precision!.toFixed(4)}`);
    // Reliability chart, two timelines, and nothing fetched from anywhere.
    expect(html.match(/<svg /g)?.length).to.equal(3);
    expect(html).to.not.match(/\s(src|href)=/);
    // The embedded figures parse back to the service's answer.
    const data = /<script type="application\/json" id="vigil-performance-data">(.*?)<\/script>/s.exec(html);
    expect((JSON.parse(data![1]!) as { performance: Performance }).performance.realized).to.deep.equal(expected.realized);

    // One model version, named by a hostile string: escaped in the text and in the embedded JSON.
    const hostileOut = join(dir, 'hostile.html');
    const hostile = await cli(path, 'report', '--window', '24h', '--model-version', HOSTILE_VERSION, '--out', hostileOut);
    expect(hostile.code, hostile.stdout + hostile.stderr).to.equal(0);
    const hostileHtml = readFileSync(hostileOut, 'utf8');
    expect(hostileHtml).to.not.include('<script>alert');
    expect(hostileHtml).to.include('evil&#34;&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(reported(hostileHtml, 'predictions')).to.equal(predictions.filter((p) => p.model_version === HOSTILE_VERSION).length);

    // Workers on several hosts: the same rows shipped to the Postgres audit, and the report read from there
    // (MONITORING_STORE=postgres, no SQLite file where SQLITE_PATH points), to the same figures.
    const schema = `test_report_${process.pid}`;
    await dropSchema(schema);
    const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    try {
      const shipping = SqliteWriter.open(path);
      await new AuditShipper(shipping, store, { batchSize: 500, parallelPages: 1 }).drain();
      shipping.close();
      const postgresOut = join(dir, 'postgres.html');
      const settings = { MONITORING_STORE: 'postgres', AUDIT_DATABASE_URL: POSTGRES_URL, AUDIT_SCHEMA: schema, SQLITE_PATH: join(dir, 'absent', 'none.db') };
      const fromAudit = await cliWith(settings, 'report', '--window', '24h', '--out', postgresOut);
      expect(fromAudit.code, fromAudit.stdout + fromAudit.stderr).to.equal(0);
      const auditHtml = readFileSync(postgresOut, 'utf8');
      const postgresReader = new PostgresQualityReader(store);
      const fromPostgres = await new PerformanceService(postgresReader, calibrator).performance(parseWindow('24h'), undefined, undefined);
      await postgresReader.close();
      for (const count of ['tp', 'fp', 'tn', 'fn'] as const) expect(reported(auditHtml, `realized-${count}`), count).to.equal(expected.realized[count]);
      expect(reported(auditHtml, 'realized-precision')).to.equal(fromPostgres.realized.precision);
      expect(reported(auditHtml, 'predictions')).to.equal(800);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it('refuses bad options with exit 2 and the reason, and a missing store with exit 1', async function () {
    const dir = tempDir('performance-report-bad');
    const path = join(dir, 'monitoring.db');
    SqliteWriter.open(path).close();
    const out = join(dir, 'report.html');
    const cases: [string[], number, string][] = [
      [['report', '--window', '24h'], 2, "required option '--out <file>' not specified"],
      [['report', '--window', '90d', '--out', out], 2, 'window must be at most 30d'],
      [['report', '--threshold', '1.5', '--out', out], 2, 'threshold must be a decimal number strictly between 0 and 1'],
      [['report', '--window', '30d', '--bucket', '1m', '--out', out], 2, 'window / bucket must be at most 1440 buckets'],
      [['report', '--bogus', '--out', out], 2, "unknown option '--bogus'"],
      [['summary'], 2, "unknown command 'summary'"],
    ];
    const runs = await Promise.all([...cases.map(([args]) => cli(path, ...args)), cli(join(dir, 'absent.db'), 'report', '--out', out)]);
    cases.forEach(([args, code, message], i) => {
      expect(runs[i]!.code, args.join(' ')).to.equal(code);
      expect(runs[i]!.stderr, args.join(' ')).to.include(message);
      expect(runs[i]!.stderr, args.join(' ')).to.match(/^ {2}performance report \[options\]|^Usage: vigil performance report/m);
    });
    const absent = runs[cases.length]!;
    expect(absent.code).to.equal(1);
    expect(absent.stdout).to.include(`no monitoring store at ${join(dir, 'absent.db')}`);
  });
});
