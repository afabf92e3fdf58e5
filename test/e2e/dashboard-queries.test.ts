import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { testConfig } from '../support/test-env';
import { optionalTool, requireTool } from '../support/tools';
import {
  DASHBOARD_PATH,
  dashboardPanels,
  dashboardQueries,
  loadDashboard,
  metricNamesIn,
  parseRuleFile,
  PROMETHEUS_BUILTINS,
  ruleFiles,
  variableMetricNames,
  withGrafanaVariables,
} from './dashboard-promql';
import { exportedNames, metricsText, parseExposition, PROMTOOL_HINT, runPromtool, sendPredictions, waitForStored } from './metrics-exposition';

/** What the issue asks the dashboard to show, as words its panel titles must hold. */
const EXPECTED_PANELS = [
  /request rate/i,
  /error rate/i,
  /latency P50 \/ P95 \/ P99/i,
  /predictions by class/i,
  /fraud rate/i,
  /probability distribution/i,
  /drift statistic per feature/i,
  /drift verdict per feature/i,
  /queue depth/i,
  /spool/i,
  /audit lag/i,
  /dead letters/i,
  /alerts firing/i,
  /alert rules/i,
];

/** Metrics that belong to one model version: their panels must follow the model_version variable. */
const PER_MODEL = ['vigil_predictions_total', 'vigil_prediction_latency_seconds', 'vigil_prediction_probability'];

describe('the Grafana dashboard and the Prometheus configuration', function () {
  this.timeout(90_000);
  let stack: Stack;
  let exported: Set<string>;

  before(async function () {
    stack = await startStack(testConfig({ WORKER_METRICS_PORT: '0' }));
    await sendPredictions(stack.api.port, 100);
    await request(stack.api.port, 'POST', '/predict', { features: {} });
    await waitForStored(stack.api.port, 100);
    exported = new Set([
      ...exportedNames(parseExposition(await metricsText(stack.api.port))),
      ...exportedNames(parseExposition(await metricsText(stack.worker.metricsPort!))),
    ]);
  });
  after(async function () {
    await stack?.close();
  });

  it('has the panels a model service needs, a model_version variable, and only the provisioned datasource', function () {
    const dashboard = loadDashboard();
    const titles = dashboardPanels(dashboard).map((p) => p.title ?? '');
    for (const expected of EXPECTED_PANELS)
      expect(
        titles.some((t) => expected.test(t)),
        String(expected),
      ).to.equal(true);
    const variable = dashboard.templating.list.find((v) => v.name === 'model_version');
    expect(variable?.type).to.equal('query');
    expect(variable?.definition).to.equal('label_values(vigil_predictions_total, model_version)');
    const datasource = /uid:\s*(\S+)/.exec(readFileSync('deploy/grafana/provisioning/datasources/prometheus.yml', 'utf8'))?.[1];
    expect(datasource).to.equal('vigil-prometheus');
    const uids = new Set([...JSON.stringify(dashboard).matchAll(/"datasource":\s*\{[^}]*"uid":\s*"([^"]+)"/g)].map((m) => m[1]));
    uids.delete('-- Grafana --'); // the built-in annotations
    expect([...uids]).to.deep.equal([datasource]);
  });

  it('names only metrics the API and the worker export, in every panel query and in the variable', function () {
    const dashboard = loadDashboard();
    const queries = dashboardQueries(dashboard);
    expect(queries.length).to.be.at.least(30);
    const unknown: string[] = [];
    for (const { panel, refId, expr } of queries) {
      const names = metricNamesIn(expr);
      expect(names.length, `${panel} ${refId}: ${expr}`).to.be.at.least(1);
      for (const name of names) if (!exported.has(name) && !PROMETHEUS_BUILTINS.has(name)) unknown.push(`${panel} ${refId}: ${name}`);
    }
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : (variable.query as { query: string }).query;
      for (const name of variableMetricNames(query)) if (!exported.has(name)) unknown.push(`variable ${variable.name}: ${name}`);
    }
    expect(unknown).to.deep.equal([]);
  });

  it('filters every per-model panel by $model_version', function () {
    for (const { panel, expr } of dashboardQueries(loadDashboard())) {
      const perModel = metricNamesIn(expr).some((name) => PER_MODEL.some((m) => name === m || name.startsWith(`${m}_`)));
      if (perModel) expect(expr, panel).to.include('model_version=~"$model_version"');
    }
  });

  it('names only exported metrics (or recording rules) in every expr of deploy/prometheus/*.rules.yml', function () {
    const files = ruleFiles();
    if (files.length === 0) console.warn('    no deploy/prometheus/*.rules.yml yet: nothing to check');
    const records = new Set(files.flatMap((f) => f.records));
    const unknown: string[] = [];
    for (const file of files) {
      expect(file.exprs.length, `${file.path}: every expr key parsed`).to.equal(file.exprKeys);
      for (const expr of file.exprs) {
        const names = metricNamesIn(expr);
        expect(names.length, `${file.path}: ${expr}`).to.be.at.least(1);
        for (const name of names)
          if (!exported.has(name) && !records.has(name) && !PROMETHEUS_BUILTINS.has(name)) unknown.push(`${file.path}: ${name} in ${expr}`);
      }
    }
    expect(unknown).to.deep.equal([]);
  });

  it('parses as PromQL: promtool checks every panel query (as a recording rule) and every rule file', function () {
    requireTool(this, 'promtool', PROMTOOL_HINT);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-promql-'));
    const rules = dashboardQueries(loadDashboard()).map(({ expr }, i) => {
      const promql = withGrafanaVariables(expr, { rateInterval: '1m', range: '1h', modelVersion: '.*' });
      return `      - record: vigil_dashboard_query_${i}\n        expr: ${JSON.stringify(promql)}`;
    });
    const file = join(dir, 'dashboard.rules.yml');
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
    const checked = runPromtool(['check', 'rules', file]);
    expect(checked.status, checked.output).to.equal(0);
    expect(checked.output).to.include(`SUCCESS: ${rules.length} rules found`);
    for (const ruleFile of ruleFiles()) {
      const result = runPromtool(['check', 'rules', ruleFile.path]);
      expect(result.status, result.output).to.equal(0);
    }
  });

  it('has a Prometheus config that scrapes every api replica and worker of docker-compose.yml and loads the rule files', function () {
    const config = readFileSync('deploy/prometheus/prometheus.yml', 'utf8');
    const compose = readFileSync('docker-compose.yml', 'utf8');
    if (optionalTool('promtool', PROMTOOL_HINT) !== undefined) {
      const result = runPromtool(['check', 'config', '--syntax-only', 'deploy/prometheus/prometheus.yml']);
      expect(result.status, result.output).to.equal(0);
    }
    // DNS service discovery: Docker answers a service name with one address per replica.
    expect(config).to.match(/job_name: vigil-api\n(?:.*\n)*?\s+- names: \[api\]\n\s+type: A\n\s+port: 8000/);
    expect(config).to.match(/job_name: vigil-worker\n(?:.*\n)*?\s+- names: \[worker\]\n\s+type: A\n\s+port: 9464/);
    expect(config).to.include('/etc/prometheus/*.rules.yml');
    expect(compose)
      .to.match(/^ {2}api:$/m)
      .and.match(/^ {2}worker:$/m);
    expect(compose).to.include('WORKER_METRICS_PORT: "9464"');
    expect(compose).to.match(/PORT: "8000"/);
  });

  it('is provisioned into Grafana the way docker-compose.yml mounts it', function () {
    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose)
      .to.match(/^ {2}prometheus:$/m)
      .and.match(/^ {2}grafana:$/m);
    expect(compose).to.include('./deploy/prometheus:/etc/prometheus:ro');
    expect(compose).to.include('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(compose).to.include('./deploy/grafana/dashboards:/etc/grafana/dashboards:ro');
    const provider = readFileSync('deploy/grafana/provisioning/dashboards/vigil.yml', 'utf8');
    expect(provider).to.match(/path: \/etc\/grafana\/dashboards$/m);
    const datasource = readFileSync('deploy/grafana/provisioning/datasources/prometheus.yml', 'utf8');
    expect(datasource).to.include('url: http://prometheus:9090');
    expect(JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')).uid).to.equal('vigil-overview');
  });
});

describe('the PromQL and rule-file readers the dashboard tests rely on', function () {
  it('finds the metrics of an expression, not its functions, labels, strings, ranges or variables', function () {
    expect(
      metricNamesIn('histogram_quantile(0.99, sum by (le, store) (rate(vigil_worker_write_seconds_bucket{store=~"sql.*"}[$__rate_interval])))'),
    ).to.deep.equal(['vigil_worker_write_seconds_bucket']);
    expect(metricNamesIn('(sum(rate(a_total{status=~"5.."}[5m])) or vector(0)) / sum without (instance) (rate(b_total[5m] offset 1h))').sort()).to.deep.equal([
      'a_total',
      'b_total',
    ]);
    expect(metricNamesIn('vigil:ratio:rate5m > (14.4 * 0.01) and on (job) up == 1e3')).to.deep.equal(['vigil:ratio:rate5m', 'up']);
    expect(metricNamesIn('max(vigil_x) by (rule) > bool 0')).to.deep.equal(['vigil_x']);
    expect(variableMetricNames('label_values(vigil_predictions_total, model_version)')).to.deep.equal(['vigil_predictions_total']);
  });

  it('reads expr and record values written every way a simple rule file writes them', function () {
    const text = [
      'groups:',
      '  - name: g',
      '    rules:',
      '      - record: job:a:rate5m',
      '        expr: sum(rate(a_total[5m]))   # a comment',
      '      - alert: Plain',
      '        expr: max(b) > 0',
      '        for: 5m',
      '      - alert: Continued',
      '        expr: sum(c)',
      '          / sum(d)',
      '        labels: { severity: warning }',
      '      - alert: Quoted',
      '        expr: "e{x=\\"y\\"} > 1"',
      "      - expr: 'f{x=''y''}'",
      '      - alert: Literal',
      '        expr: |',
      '          g',
      '            and h',
      '        for: 1m',
      '      - alert: Folded',
      '        expr: >-',
      '          i',
      '          > 2',
      '      - {',
      '          "alert": "PrettyJson",',
      '          "expr": "k{a=\\"b\\"} > 0",',
      '          "for": "1m"',
      '        }',
    ].join('\n');
    const parsed = parseRuleFile('inline', text);
    expect(parsed.records).to.deep.equal(['job:a:rate5m']);
    expect(parsed.exprs).to.deep.equal([
      'sum(rate(a_total[5m]))',
      'max(b) > 0',
      'sum(c) / sum(d)',
      'e{x="y"} > 1',
      "f{x='y'}",
      'g\nand h',
      'i > 2',
      'k{a="b"} > 0',
    ]);
    expect(parsed.exprs.length).to.equal(parsed.exprKeys);
    const json = parseRuleFile('json', '{"groups": [{"name": "j", "rules": [{"record": "j:l", "expr": "sum(l)"}, {"alert": "Json", "expr": "j:l > 0"}]}]}');
    expect(json).to.deep.include({ exprs: ['sum(l)', 'j:l > 0'], records: ['j:l'], exprKeys: 2 });
  });
});
