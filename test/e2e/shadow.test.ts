import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { trainModel, writeArtifacts } from '@vigil/training';
import { CompareService, parseWindow, type Comparison } from '@vigil/monitoring';
import { PostgresShadowReader, SqliteShadowReader } from '@vigil/stores';
import { request } from '../support/http';
import { metricValue } from '../support/metrics-text';
import { startStack, type Stack } from '../support/stack';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

const CHALLENGER = 'fraud-challenger@2.0.0';

/** A second fraud model, trained on other data (seed), so its scores really differ from the champion's. */
function writeChallenger(dir: string): string {
  writeArtifacts(trainModel({ seed: 9, size: 'tiny', referenceRows: 500 }), dir);
  const specPath = join(dir, 'model.spec.json');
  writeFileSync(specPath, JSON.stringify({ ...JSON.parse(readFileSync(specPath, 'utf8')), model_version: CHALLENGER }));
  return join(dir, 'model.onnx');
}

interface PairRow {
  cp: number;
  cpred: number;
  sp: number;
  spred: number;
  label: number | null;
}

describe('a shadow model beside the champion (SHADOW_MODEL_PATH) through a real API and worker', function () {
  this.timeout(90_000);
  let stack: Stack;
  let db: Database.Database;
  let challengerDir: string;
  let shadowPath: string;
  const ids: string[] = [];

  before(async function () {
    challengerDir = mkdtempSync(join(tmpdir(), 'vigil-challenger-'));
    shadowPath = writeChallenger(challengerDir);
    stack = await startStack(testConfig({ SPOOL_DIR: mkdtempSync(join(tmpdir(), 'vigil-shadow-spool-')), SHADOW_MODEL_PATH: shadowPath }));
    db = new Database(stack.config.sqlitePath, { readonly: true });
    // 300 instances in 30 requests, half of them labeled (the label says the champion was right on even rows).
    for (let r = 0; r < 30; r++) {
      const { status, body } = await request<{ predictions: { prediction_id: string; model_version: string }[] }>(stack.api.port, 'POST', '/predict', {
        instances: referenceInstances(10, r * 10),
      });
      expect(status).to.equal(200);
      // The answer is the champion's alone.
      expect(new Set(body.predictions.map((p) => p.model_version))).to.deep.equal(new Set(['fraud-detection-model@1.0.0']));
      ids.push(...body.predictions.map((p) => p.prediction_id));
    }
    const labels = ids.filter((_, i) => i % 2 === 0).map((prediction_id, i) => ({ prediction_id, label: i % 3 === 0 ? 1 : 0 }));
    expect((await request(stack.api.port, 'POST', '/feedback', { labels })).status).to.equal(202);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    await waitFor('every shadow score stored', () => (count('SELECT count(*) AS n FROM shadow_predictions') === 300 ? true : undefined), 30_000);
    await waitFor('labels stored', () => (count('SELECT count(*) AS n FROM labels') === 150 ? true : undefined), 30_000);
  });
  after(async function () {
    db?.close();
    await stack?.close();
    if (challengerDir) rmSync(challengerDir, { recursive: true, force: true });
  });

  it("stores the challenger's score under the champion's prediction_id, with its own model_version", () => {
    const rows = db.prepare('SELECT prediction_id, model_version FROM shadow_predictions').all() as { prediction_id: string; model_version: string }[];
    expect(new Set(rows.map((row) => row.prediction_id))).to.deep.equal(new Set(ids));
    expect(new Set(rows.map((row) => row.model_version))).to.deep.equal(new Set([CHALLENGER]));
    // Champion figures stay the champion's: no shadow row among the predictions.
    expect((db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n).to.equal(300);
  });

  it('GET /monitoring/compare equals the same figures computed over the stored rows', async () => {
    const { status, body } = await request<Comparison>(stack.api.port, 'GET', '/monitoring/compare?window=1h');
    expect(status, JSON.stringify(body)).to.equal(200);
    expect(body.champion_predictions).to.equal(300);
    expect(body.comparisons).to.have.length(1);
    const [comparison] = body.comparisons;
    const rows = db
      .prepare(
        `SELECT p.probability AS cp, p.prediction AS cpred, s.probability AS sp, s.prediction AS spred, l.label AS label
         FROM shadow_predictions s JOIN predictions p USING (prediction_id) LEFT JOIN labels l USING (prediction_id)`,
      )
      .all() as PairRow[];
    const n = rows.length;
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(comparison?.champion_version).to.equal('fraud-detection-model@1.0.0');
    expect(comparison?.shadow_version).to.equal(CHALLENGER);
    expect(comparison?.paired).to.equal(300);
    expect(comparison?.labeled).to.equal(150);
    expect(comparison?.agreement_rate).to.equal(rows.filter((r) => r.cpred === r.spred).length / n);
    expect(comparison?.probability_difference.mean).to.be.closeTo(mean(rows.map((r) => r.sp - r.cp)), 1e-12);
    expect(comparison?.probability_difference.mean_absolute).to.be.closeTo(mean(rows.map((r) => Math.abs(r.sp - r.cp))), 1e-12);
    expect(comparison?.probability_difference.max_absolute).to.equal(Math.max(...rows.map((r) => Math.abs(r.sp - r.cp))));
    expect(comparison?.probability_difference.histogram.reduce((sum, bin) => sum + bin.count, 0)).to.equal(300);
    // The models differ (another training seed), so the comparison has something to show.
    expect(comparison?.probability_difference.mean_absolute).to.be.above(0);
    expect(comparison?.champion.fraud_rate).to.equal(rows.filter((r) => r.cpred === 1).length / n);
    expect(comparison?.shadow.fraud_rate).to.equal(rows.filter((r) => r.spred === 1).length / n);
    // Realized quality on the labeled pairs, for each model: the confusion counts from the rows.
    const labeled = rows.filter((r) => r.label !== null);
    const confusion = (pred: (r: PairRow) => number) => ({
      tp: labeled.filter((r) => pred(r) === 1 && r.label === 1).length,
      fp: labeled.filter((r) => pred(r) === 1 && r.label === 0).length,
      tn: labeled.filter((r) => pred(r) === 0 && r.label === 0).length,
      fn: labeled.filter((r) => pred(r) === 0 && r.label === 1).length,
    });
    expect(comparison?.champion.realized).to.include(confusion((r) => r.cpred));
    expect(comparison?.shadow.realized).to.include(confusion((r) => r.spred));
    // Each model's output drift against its own reference, and CBPE from its own quality reference (written beside it).
    expect(comparison?.shadow.output_drift?.reference_rows).to.equal(500);
    expect(comparison?.champion.output_drift?.ks_statistic).to.be.within(0, 1);
    expect(comparison?.shadow.estimated).to.not.equal(null);
    expect(comparison?.champion.estimated).to.not.equal(null);
  });

  it('counts what the shadow scored in /metrics, and refuses bad compare queries in the usual error shape', async () => {
    const metrics = await request<string>(stack.api.port, 'GET', '/metrics');
    expect(metricValue(metrics.body, `vigil_shadow_predictions_total{model_version="${CHALLENGER}"}`)).to.equal(300);
    expect(metricValue(metrics.body, 'vigil_shadow_skipped_total{reason="behind"}')).to.equal(0);
    const bad = await request<{ error: { code: string; details: { parameter?: string } } }>(stack.api.port, 'GET', '/monitoring/compare?window=forever');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details.parameter).to.equal('window');
    const unknown = await request<{ error: { code: string } }>(stack.api.port, 'GET', '/monitoring/compare?windw=1h');
    expect(unknown.status).to.equal(400);
    const other = await request<Comparison>(stack.api.port, 'GET', '/monitoring/compare?window=1h&shadow_version=nobody@0');
    expect(other.body.comparisons).to.deep.equal([]);
  });
  it('ships the shadow scores to the Postgres audit, where the comparison (MONITORING_STORE=postgres) is the same as from SQLite', async () => {
    const audited = async () =>
      Number((await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${stack.config.auditSchema}".shadow_predictions`))[0]?.n ?? 0);
    await waitFor('shadow scores audited', async () => ((await audited()) === 300 ? true : undefined), 30_000);
    // The champion's rows ship on their own schedule (a shadow score may reach the worker first).
    await waitFor(
      'champion rows audited',
      async () => {
        const rows = await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${stack.config.auditSchema}".predictions`);
        return Number(rows[0]?.n) === 300 ? true : undefined;
      },
      30_000,
    );
    await waitFor(
      'labels audited',
      async () => {
        const rows = await queryPostgres<{ n: string }>(`SELECT count(DISTINCT prediction_id) AS n FROM "${stack.config.auditSchema}".labels`);
        return Number(rows[0]?.n) === 150 ? true : undefined;
      },
      30_000,
    );
    const none = { champion: {}, shadows: new Map() };
    const window = parseWindow('1h');
    const fromPostgres = new CompareService(
      PostgresShadowReader.open({ connectionString: stack.config.auditDatabaseUrl as string, schema: stack.config.auditSchema }),
      none,
    );
    const fromSqlite = new CompareService(SqliteShadowReader.open(stack.config.sqlitePath), none);
    try {
      const [a, b] = [await fromPostgres.compare(window), await fromSqlite.compare(window)];
      expect(a.champion_predictions).to.equal(b.champion_predictions);
      const [pg, lite] = [a.comparisons[0], b.comparisons[0]];
      expect(pg?.paired).to.equal(300);
      expect({ paired: pg?.paired, labeled: pg?.labeled, agreement: pg?.agreement_rate, histogram: pg?.probability_difference.histogram }).to.deep.equal({
        paired: lite?.paired,
        labeled: lite?.labeled,
        agreement: lite?.agreement_rate,
        histogram: lite?.probability_difference.histogram,
      });
      expect(pg?.probability_difference.mean).to.be.closeTo(lite?.probability_difference.mean as number, 1e-12);
      expect(pg?.shadow.realized).to.deep.include({ tp: lite?.shadow.realized?.tp, fp: lite?.shadow.realized?.fp, tn: lite?.shadow.realized?.tn });
    } finally {
      await fromPostgres.close();
      await fromSqlite.close();
    }
  });

  it('`model replay` rescoring the stored features through the same challenger gives the live comparison, and writes the HTML report', async () => {
    const out = join(challengerDir, 'replay.html');
    const env = { ...process.env, SQLITE_PATH: stack.config.sqlitePath, LOG_LEVEL: 'error' };
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('npx', ['tsx', 'apps/cli/src/main.ts', 'model', 'replay', shadowPath, '--window', '1h', '--out', out], { env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(run.code, run.stderr).to.equal(0);
    const replay = JSON.parse(run.stdout.slice(0, run.stdout.lastIndexOf('}') + 1)) as {
      scored: number;
      refused: number;
      comparisons: Comparison['comparisons'];
    };
    const live = (await request<Comparison>(stack.api.port, 'GET', '/monitoring/compare?window=1h')).body.comparisons[0];
    expect(replay.scored).to.equal(300);
    expect(replay.refused).to.equal(0);
    const [offline] = replay.comparisons;
    expect(offline?.shadow_version).to.equal(CHALLENGER);
    expect(offline?.paired).to.equal(live?.paired);
    expect(offline?.labeled).to.equal(live?.labeled);
    expect(offline?.agreement_rate).to.equal(live?.agreement_rate);
    expect(offline?.probability_difference.mean).to.be.closeTo(live?.probability_difference.mean as number, 1e-12);
    expect(offline?.shadow.realized).to.deep.include({ tp: live?.shadow.realized?.tp, fp: live?.shadow.realized?.fp });
    const html = readFileSync(out, 'utf8');
    expect(html).to.include(`vs ${CHALLENGER} (candidate)`);
    expect(html).to.include('<svg');
    expect(run.stderr).to.match(/replay/); // the progress display
  });

  it('`model replay` refuses a typo and a bad window with exit 2', async () => {
    const code = (args: string[]) =>
      new Promise<number>((resolve) => {
        execFile(
          'npx',
          ['tsx', 'apps/cli/src/main.ts', 'model', 'replay', ...args],
          { env: { ...process.env, SQLITE_PATH: stack.config.sqlitePath } },
          (error) => resolve(error ? Number(error.code ?? 1) : 0),
        );
      });
    expect(await code([shadowPath, '--windw', '1h'])).to.equal(2);
    expect(await code([shadowPath, '--window', 'forever'])).to.equal(2);
  });
});
