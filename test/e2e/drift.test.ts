import { expect } from 'chai';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DriftService, loadDriftConfig, loadReference, type DriftReport } from '@vigil/drift';
import { loadModelSpec } from '@vigil/model';
import { SqliteReader } from '@vigil/stores';
import { createTrafficSource, parseDriftSpec } from '@vigil/traffic';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { testConfig, waitFor } from '../support/test-env';

const run = promisify(execFile);

/** Sends `count` simulated transactions in batches of 100 and waits until all are in SQLite. */
async function sendTraffic(stack: Stack, count: number, drift = '', drawSeed = 8): Promise<void> {
  const next = createTrafficSource({ drawSeed, shifts: parseDriftSpec(drift) });
  for (let sent = 0; sent < count; sent += 100) {
    const response = await request(stack.api.port, 'POST', '/predict', { instances: Array.from({ length: Math.min(100, count - sent) }, next) });
    expect(response.status).to.equal(200);
  }
  const db = new Database(stack.config.sqlitePath, { readonly: true });
  try {
    await waitFor(`${count} rows`, () => ((db.prepare('SELECT count(*) FROM predictions').pluck().get() as number) >= count ? true : undefined), 30_000);
  } finally {
    db.close();
  }
}

function drifted(report: DriftReport): string[] {
  return report.features.filter((f) => f.drift).map((f) => f.feature);
}

describe('drift against the training reference, end to end', function () {
  this.timeout(120_000);

  describe('a large window (distance measures decide)', function () {
    let clean: Stack;
    let shifted: Stack;
    before(async function () {
      clean = await startStack(testConfig());
      shifted = await startStack(testConfig());
      await sendTraffic(clean, 3000);
      await sendTraffic(shifted, 3000, 'amount:x3');
    });
    after(async function () {
      await clean?.close();
      await shifted?.close();
    });

    it('shows no drift for traffic drawn from the reference distribution', async function () {
      const { status, body } = await request<DriftReport>(clean.api.port, 'GET', '/monitoring/drift?window=1h');
      expect(status).to.equal(200);
      expect(body.sample).to.include({ rows_in_window: 3000, rows_compared: 3000, stride: 1 });
      expect(body.reference.rows).to.equal(5000);
      expect(drifted(body), JSON.stringify(body.features.map((f) => [f.feature, f.test, f.statistic]))).to.deep.equal([]);
      expect(body.dataset.drift).to.equal(false);
      expect(body.features).to.have.length(10);
      for (const feature of body.features) expect(['wasserstein', 'jensen_shannon']).to.include(feature.test);
    });

    it('flags amount, and only amount, when amounts are tripled', async function () {
      const { body } = await request<DriftReport>(shifted.api.port, 'GET', '/monitoring/drift?window=1h');
      expect(drifted(body)).to.deep.equal(['amount']);
      const amount = body.features.find((f) => f.feature === 'amount')!;
      expect(amount.statistic).to.be.greaterThan(amount.threshold);
      expect(amount.measures.psi).to.be.greaterThan(0.2);
      expect(body.dataset).to.include({ drifted_features: 1, features: 10, drift: false });
    });

    it('reads a window larger than max_sample as an even sample, and reports the sample size', async function () {
      const spec = loadModelSpec(clean.config.modelSpecPath);
      const config = { ...loadDriftConfig(clean.config.driftConfigPath, spec.features), max_sample: 1000 };
      const reader = SqliteReader.open(clean.config.sqlitePath);
      try {
        const service = new DriftService({ reader, spec, config, reference: loadReference(clean.config.referencePath) });
        const report = await service.report({ label: '1h', ms: 3_600_000 });
        expect(report.sample.rows_in_window).to.equal(3000);
        expect(report.sample.stride).to.equal(3);
        expect(report.sample.rows_compared).to.be.within(990, 1010);
        expect(drifted(report)).to.deep.equal([]);
      } finally {
        await reader.close();
      }
    });

    it('writes a self-contained HTML report from the CLI', async function () {
      const out = join(mkdtempSync(join(tmpdir(), 'drift-report-')), 'report.html');
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', 'drift', 'report', '--window', '24h', '--out', out], {
        env: { ...process.env, SQLITE_PATH: shifted.config.sqlitePath },
      });
      expect(stdout).to.match(/3000 predictions compared; dataset drift no \(amount\)/);
      const html = readFileSync(out, 'utf8');
      expect(html).to.match(/^<!doctype html>/);
      expect(html).to.include('<h2>amount <span class="drift">drift</span></h2>');
      expect(html).to.include('<h2>velocity <span class="ok">no drift</span></h2>');
      expect((html.match(/<svg /g) ?? []).length).to.equal(12); // 10 features + 2 outputs
      // Opens with no server: no script, no external resource.
      expect(html).not.to.match(/<script|src=|href=|@import|url\(/i);
    });

    it('gives the verdicts per time bucket for plots', async function () {
      const { status, body } = await request<{ points: { rows_compared: number; features: Record<string, { drift: boolean }> }[] }>(
        shifted.api.port,
        'GET',
        '/monitoring/drift/timeline?window=2h&bucket=1h',
      );
      expect(status).to.equal(200);
      const withRows = body.points.filter((p) => p.rows_compared > 0);
      expect(withRows.reduce((n, p) => n + p.rows_compared, 0)).to.equal(3000);
      for (const point of withRows.filter((p) => p.rows_compared >= 1000)) expect(point.features.amount?.drift).to.equal(true);
    });
  });

  describe('a small window (p-value tests decide, Bonferroni-corrected)', function () {
    let stack: Stack;
    before(async function () {
      stack = await startStack(testConfig());
      await sendTraffic(stack, 400, 'amount:x3', 11);
    });
    after(async function () {
      await stack?.close();
    });

    it('uses KS and chi-squared with corrected thresholds, and flags amount', async function () {
      const { body } = await request<DriftReport>(stack.api.port, 'GET', '/monitoring/drift?window=1h');
      const amount = body.features.find((f) => f.feature === 'amount')!;
      expect(amount.test).to.equal('ks');
      expect(amount.p_value).to.be.lessThan(1e-6);
      // 10 features + probability + fraud_rate are p-value tests here: alpha / 12.
      expect(amount.threshold).to.be.closeTo(0.05 / 12, 1e-12);
      expect(body.features.find((f) => f.feature === 'merchant_category')!.test).to.equal('chi2');
      expect(drifted(body)).to.include('amount');
    });

    it('rejects bad parameters with a 400 naming them', async function () {
      for (const path of ['/monitoring/drift?window=abc', '/monitoring/drift?limit=3', '/monitoring/drift/timeline?window=1h&bucket=2h']) {
        const { status, body } = await request<{ error: { code: string } }>(stack.api.port, 'GET', path);
        expect(status, path).to.equal(400);
        expect(body.error.code).to.equal('INVALID_QUERY_PARAMETER');
      }
    });
  });
});
