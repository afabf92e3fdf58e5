import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from '../support/http';
import { freePort } from '../support/private-redis';
import { startStack, type Stack } from '../support/stack';
import { referenceInstances, testConfig, waitFor } from '../support/test-env';
import { requireTool } from '../support/tools';
import { dashboardQueries, loadDashboard, ruleFiles, withGrafanaVariables } from './dashboard-promql';
import { sendPredictions, waitForStored } from './metrics-exposition';

interface QueryAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] | [number, string] };
}

/**
 * Debian's Prometheus against a running Vigil: it scrapes the API and the
 * worker every second and loads deploy/prometheus/*.rules.yml; after some
 * traffic, every query of every dashboard panel must return data.
 */
describe('the dashboard against a real Prometheus scraping Vigil', function () {
  this.timeout(180_000);
  let stack: Stack;
  let prometheus: ChildProcess | undefined;
  let dir: string;
  let base: string;
  let log = '';

  const query = async (promql: string): Promise<QueryAnswer> => {
    const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return (await response.json()) as QueryAnswer;
  };

  before(async function () {
    const prometheusPath = requireTool(this, 'prometheus', 'Debian: apt-get install -y prometheus');
    stack = await startStack(testConfig({ WORKER_METRICS_PORT: '0' }));
    // Rows first, so the API's first drift report (cached 30 s) already has a window to compare.
    const ids = await sendPredictions(stack.api.port, 200);
    await waitForStored(stack.api.port, 200);
    // Labels on half of them: the model-quality panels get realized figures, and estimates for the other half.
    const labels = ids.slice(0, 100).map((prediction_id, i) => ({ prediction_id, label: i % 2 }));
    expect((await request(stack.api.port, 'POST', '/feedback', { labels })).status).to.equal(202);
    const labeled = async () => (await request<{ labeled: number }>(stack.api.port, 'GET', '/monitoring/performance?window=1h')).body.labeled;
    await waitFor('labels joined', async () => ((await labeled()) === labels.length ? true : undefined), 30_000);

    dir = mkdtempSync(join(tmpdir(), 'vigil-prometheus-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const rules = ruleFiles().map((file) => `  - ${JSON.stringify(resolve(file.path))}`);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        ...(rules.length > 0 ? ['rule_files:', ...rules] : []),
        'scrape_configs:',
        '  - job_name: vigil-api',
        '    static_configs:',
        `      - targets: ["127.0.0.1:${stack.api.port}"]`,
        '  - job_name: vigil-worker',
        '    static_configs:',
        `      - targets: ["127.0.0.1:${stack.worker.metricsPort}"]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      prometheusPath,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    await waitFor('Prometheus ready', async () => ((await fetch(`${base}/-/ready`).catch(() => undefined))?.status === 200 ? true : undefined), 30_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}; its log: ${log}`);
      },
    );
    await waitFor(
      'both targets up',
      async () => {
        const targets = (await (await fetch(`${base}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
        const active = targets.data.activeTargets;
        return active.length === 2 && active.every((t) => t.health === 'up') ? true : undefined;
      },
      30_000,
    );

    // Traffic while Prometheus watches: every rate() has samples to work from. Bounded: 30 rounds.
    for (let round = 0; round < 30; round++) {
      await request(stack.api.port, 'POST', '/predict', { instances: referenceInstances(10, 200 + round * 10) });
      if (round % 10 === 0) await request(stack.api.port, 'POST', '/predict', { features: { amount: -1 } });
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitForStored(stack.api.port, 500);
    await new Promise((r) => setTimeout(r, 3000)); // a few more scrapes and rule evaluations
  });

  after(async function () {
    if (prometheus !== undefined && prometheus.exitCode === null) {
      const exited = once(prometheus, 'exit');
      prometheus.kill('SIGTERM');
      await exited;
    }
    await stack?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('returns data for every query of every panel', async function () {
    const empty: string[] = [];
    const queries = dashboardQueries(loadDashboard());
    for (const { panel, refId, expr } of queries) {
      const promql = withGrafanaVariables(expr, { rateInterval: '20s', range: '5m', modelVersion: '.*' });
      const answer = await query(promql);
      expect(answer.status, `${panel} ${refId}: ${answer.error}`).to.equal('success');
      const result = answer.data?.result;
      const hasData = answer.data?.resultType === 'scalar' || (Array.isArray(result) && result.length > 0);
      if (!hasData) empty.push(`${panel} ${refId}: ${promql}`);
    }
    expect(empty, 'panel queries without data').to.deep.equal([]);
    expect(queries.length).to.be.at.least(30);
  });

  it('gives values that agree with the traffic sent', async function () {
    const values = async (promql: string) => {
      const answer = await query(withGrafanaVariables(promql, { rateInterval: '20s', range: '5m', modelVersion: '.*' }));
      return (answer.data?.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
        labels: r.metric,
        value: Number(r.value[1]),
      }));
    };
    const dashboard = new Map(dashboardQueries(loadDashboard()).map((q) => [`${q.panel} ${q.refId}`, q.expr]));
    const latency = await values(dashboard.get('Prediction latency P50 / P95 / P99 C')!);
    expect(latency[0]!.value).to.be.greaterThan(0).and.below(5); // p99 in seconds
    const requests = await values(dashboard.get('Request rate by route and status A')!);
    expect(requests.find((r) => r.labels.route === '/predict' && r.labels.status === '200')?.value).to.be.greaterThan(0);
    expect(requests.find((r) => r.labels.route === '/predict' && r.labels.status === '422')).to.not.equal(undefined);
    const written = await values(dashboard.get('Rows written per store A')!);
    expect(written.find((r) => r.labels.store === 'sqlite')).to.not.equal(undefined);
    const drift = await values(dashboard.get('Drift verdict per feature A')!);
    expect(drift.map((r) => r.labels.feature)).to.include.members(['amount', 'probability']);
    const queue = await values(dashboard.get('Queue depth by state A')!);
    expect(queue.map((r) => r.labels.state).sort()).to.deep.equal(['active', 'delayed', 'failed', 'prioritized', 'waiting', 'waiting-children']);
  });

  it('loads deploy/prometheus/*.rules.yml and evaluates every rule without error', async function () {
    const files = ruleFiles();
    // The rule files are committed: none found means a broken checkout, not something to skip.
    expect(files, 'deploy/prometheus/*.rules.yml').to.not.be.empty;
    const answer = (await (await fetch(`${base}/api/v1/rules`)).json()) as {
      data: { groups: { file: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const rules = answer.data.groups.flatMap((g) => g.rules);
    expect(rules.length).to.equal(files.reduce((n, f) => n + f.exprs.length, 0));
    const unhealthy = rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    expect(unhealthy).to.deep.equal([]);
  });
});
