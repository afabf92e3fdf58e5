import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { request } from '../support/http';
import { PrivateRedis } from '../support/private-redis';
import { startStack, type Stack } from '../support/stack';
import { referenceInstances, testConfig, waitFor } from '../support/test-env';
import { optionalTool, requireTool } from '../support/tools';
import { metricsText, parseExposition, PROMTOOL_HINT, runPromtool, samplesOf, sendPredictions, waitForStored, type Exposition } from './metrics-exposition';

/** Label names a Vigil metric may carry: each has a small, fixed set of values. */
const ALLOWED_LABELS = new Set([
  'route',
  'method',
  'status',
  'model_version',
  'class',
  'le',
  'store',
  'kind',
  'state',
  'feature',
  'test',
  'source',
  'rule',
  'metric',
  'window',
  'reason',
]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The README's "Metrics" table: name → {type, labels, from}. */
function documentedMetrics(): Map<string, { type: string; labels: string[]; from: string }> {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Metrics\n'), readme.indexOf('\n## ', readme.indexOf('## Metrics\n') + 5));
  const rows = new Map<string, { type: string; labels: string[]; from: string }>();
  for (const line of section.split('\n')) {
    const cells = /^\| `(vigil_[a-z0-9_]+)` \|([^|]*)\|([^|]*)\|([^|]*)\|/.exec(line);
    if (cells === null) continue;
    const labels = (cells[3] as string)
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
    rows.set(cells[1] as string, { type: (cells[2] as string).trim(), labels, from: (cells[4] as string).trim() });
  }
  return rows;
}

/** Label names per vigil_ family, from its samples (histogram suffixes and `le` folded in). */
function familyLabels(exposition: Exposition): Map<string, Set<string>> {
  const families = new Map<string, Set<string>>();
  for (const [family] of exposition.types) if (family.startsWith('vigil_')) families.set(family, new Set());
  for (const sample of exposition.samples) {
    const family = [...families.keys()].find(
      (f) => sample.name === f || sample.name === `${f}_bucket` || sample.name === `${f}_sum` || sample.name === `${f}_count`,
    );
    if (family === undefined) continue;
    for (const label of Object.keys(sample.labels)) if (label !== 'le') families.get(family)?.add(label);
  }
  return families;
}

describe('metrics: what the API and the worker export', function () {
  this.timeout(120_000);
  let stack: Stack;
  let api: Exposition;
  let worker: Exposition;
  let apiText: string;
  let workerText: string;

  before(async function () {
    stack = await startStack(testConfig({ WORKER_METRICS_PORT: '0' }));
    const port = stack.api.port;
    await sendPredictions(port, 300);
    // A client error and an unknown route, so the request counter has more than one status.
    expect((await request(port, 'POST', '/predict', { features: { amount: 'lots' } })).status).to.equal(422);
    expect((await request(port, 'GET', '/no-such-route')).status).to.equal(404);
    await waitForStored(port, 300);
    apiText = await metricsText(port);
    workerText = await metricsText(stack.worker.metricsPort!);
    api = parseExposition(apiText);
    worker = parseExposition(workerText);
  });
  after(async function () {
    await stack?.close();
  });

  it('passes promtool check metrics, for the API and for the worker', function () {
    requireTool(this, 'promtool', PROMTOOL_HINT);
    for (const [who, text] of [
      ['API', apiText],
      ['worker', workerText],
    ] as const) {
      const result = runPromtool(['check', 'metrics'], text);
      expect(result.output, `promtool on the ${who}'s /metrics`).to.equal('');
      expect(result.status, `promtool exit status for the ${who}`).to.equal(0);
    }
  });

  it('documents every vigil_ metric it exports in the README table, with its type, labels and process, and exports every one documented', function () {
    const documented = documentedMetrics();
    const exported = new Map<string, { type: string; labels: Set<string>; from: string }>();
    for (const [who, exposition] of [
      ['API', api],
      ['worker', worker],
    ] as const) {
      const labels = familyLabels(exposition);
      for (const [family, type] of exposition.types) {
        if (family.startsWith('vigil_')) exported.set(family, { type, labels: labels.get(family) ?? new Set(), from: who });
      }
    }
    expect([...exported.keys()].sort(), 'exported vigil_ metrics vs the README table').to.deep.equal([...documented.keys()].sort());
    for (const [name, doc] of documented) {
      const actual = exported.get(name)!;
      expect(actual.type, `${name} type`).to.equal(doc.type);
      expect(actual.from, `${name} process`).to.equal(doc.from);
      // Labelled families without samples yet (no event of that kind) cannot show their labels.
      if (actual.labels.size > 0) expect([...actual.labels].sort(), `${name} labels`).to.deep.equal([...doc.labels].sort());
    }
  });

  it('keeps label cardinality low: only known label names, no ids, a bounded number of series', function () {
    for (const exposition of [api, worker]) {
      const perName = new Map<string, number>();
      for (const sample of exposition.samples.filter((s) => s.name.startsWith('vigil_'))) {
        for (const [label, value] of Object.entries(sample.labels)) {
          expect(ALLOWED_LABELS.has(label), `${sample.name} label ${label}`).to.equal(true);
          expect(UUID.test(value), `${sample.name}{${label}="${value}"}`).to.equal(false);
        }
        perName.set(sample.name, (perName.get(sample.name) ?? 0) + 1);
      }
      for (const [name, series] of perName) expect(series, `series of ${name}`).to.be.below(200);
    }
  });

  it('labels HTTP requests by route pattern and status, and predictions by class and model version', function () {
    const requests = samplesOf(api, 'vigil_http_requests_total');
    expect(requests.find((s) => s.labels.route === '/predict' && s.labels.status === '200')?.value).to.equal(6);
    expect(requests.find((s) => s.labels.route === '/predict' && s.labels.status === '422')?.value).to.equal(1);
    expect(requests.find((s) => s.labels.route === 'unmatched' && s.labels.status === '404')?.value).to.equal(1);
    const predictions = samplesOf(api, 'vigil_predictions_total');
    expect(predictions.reduce((sum, s) => sum + s.value, 0)).to.equal(300);
    expect(new Set(predictions.map((s) => s.labels.class))).to.satisfy((classes: Set<string>) => [...classes].every((c) => c === 'fraud' || c === 'non_fraud'));
    const buckets = samplesOf(api, 'vigil_prediction_latency_seconds_bucket').map((s) => (s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)));
    expect(Math.min(...buckets)).to.be.below(0.001); // sub-millisecond
    expect(Math.max(...buckets.filter(Number.isFinite))).to.be.at.least(1); // to seconds
  });

  it('exports the queue by state, the oldest waiting batch and the dead letters as /monitoring/queue reports them', async function () {
    const { body } = await request<{ counts: Record<string, number>; dead_letters: number }>(stack.api.port, 'GET', '/monitoring/queue');
    // The gauge is cached for a second: read it fresh.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = parseExposition(await metricsText(stack.api.port));
    const jobs = samplesOf(fresh, 'vigil_queue_jobs');
    expect(Object.fromEntries(jobs.map((s) => [s.labels.state, s.value]))).to.deep.equal(body.counts);
    expect(body.counts.completed).to.be.at.least(1);
    expect(samplesOf(fresh, 'vigil_queue_oldest_waiting_seconds')[0]?.value).to.equal(0);
    expect(samplesOf(fresh, 'vigil_dead_letter_jobs')[0]?.value).to.equal(body.dead_letters);
  });

  it('exports the drift statistic and verdict per feature that /monitoring/drift gives for the last hour', async function () {
    type Verdict = { feature: string; test: string; statistic: number; drift: boolean; skipped?: string };
    const { body } = await request<{ features: Verdict[]; outputs: Verdict[]; sample: { rows_compared: number } }>(
      stack.api.port,
      'GET',
      '/monitoring/drift?window=1h',
    );
    const verdicts = [...body.features, ...body.outputs].filter((f) => f.skipped === undefined);
    expect(verdicts.length).to.be.at.least(10);
    const statistic = samplesOf(api, 'vigil_drift_statistic');
    const detected = samplesOf(api, 'vigil_drift_detected');
    expect(statistic).to.have.length(verdicts.length);
    for (const f of verdicts) {
      const s = statistic.find((x) => x.labels.feature === f.feature);
      expect(s?.labels.test, f.feature).to.equal(f.test);
      expect(s?.value, f.feature).to.be.closeTo(f.statistic, 1e-9 * Math.max(1, Math.abs(f.statistic)));
      expect(detected.find((x) => x.labels.feature === f.feature)?.value, f.feature).to.equal(f.drift ? 1 : 0);
    }
    expect(samplesOf(api, 'vigil_drift_rows_compared')[0]?.value).to.equal(body.sample.rows_compared);
  });

  it('initialises the worker counters with known labels, so rate() has a series before the first event', function () {
    const kinds = samplesOf(worker, 'vigil_dead_lettered_records_total')
      .map((s) => s.labels.kind)
      .sort();
    expect(kinds).to.deep.equal(['failed-batch', 'rejected-records', 'store-rejected-records']);
    expect(samplesOf(worker, 'vigil_worker_records_written_total').find((s) => s.labels.store === 'sqlite')?.value).to.equal(300);
  });

  it('answers scrapes quickly once the caches are warm', async function () {
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await metricsText(stack.api.port);
      expect(performance.now() - started, 'scrape ms').to.be.below(500);
    }
  });
});

describe('metrics while Redis is down', function () {
  this.timeout(120_000);
  let redis: PrivateRedis;
  let stack: Stack;

  before(async function () {
    redis = await PrivateRedis.start();
    stack = await startStack(testConfig({ REDIS_URL: redis.url, WORKER_METRICS_PORT: '0' }));
  });
  after(async function () {
    // Redis back first, so the worker's shutdown need not wait out its batch.
    await redis?.start().catch(() => undefined);
    await stack?.close();
    await redis?.stop();
  });

  it('leaves the queue gauges out (NaN where unlabelled), counts the failed read, and still answers fast', async function () {
    await request(stack.api.port, 'POST', '/predict', { features: referenceInstances(1)[0] });
    const before = parseExposition(await metricsText(stack.api.port));
    expect(samplesOf(before, 'vigil_queue_jobs').length).to.be.greaterThan(0);

    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the queue cache
    const started = performance.now();
    const text = await metricsText(stack.api.port);
    expect(performance.now() - started, 'scrape ms with Redis down').to.be.below(2500);
    const down = parseExposition(text);
    expect(samplesOf(down, 'vigil_queue_jobs')).to.deep.equal([]);
    expect(samplesOf(down, 'vigil_queue_oldest_waiting_seconds')[0]?.value).to.be.NaN;
    expect(samplesOf(down, 'vigil_dead_letter_jobs')[0]?.value).to.be.NaN;
    // The failure is counted as the read fails, so the next scrape shows it.
    const next = parseExposition(await metricsText(stack.api.port));
    expect(samplesOf(next, 'vigil_scrape_source_failures_total').find((s) => s.labels.source === 'queue')?.value).to.be.at.least(1);
    // Drift reads SQLite, not Redis: still there.
    expect(samplesOf(next, 'vigil_scrape_source_failures_total').find((s) => s.labels.source === 'drift')?.value).to.equal(0);
    if (optionalTool('promtool', PROMTOOL_HINT) !== undefined) expect(runPromtool(['check', 'metrics'], text).status).to.equal(0);

    // Back: the gauges return by themselves.
    await redis.start();
    await waitFor(
      'the queue gauges back',
      async () => (samplesOf(parseExposition(await metricsText(stack.api.port)), 'vigil_queue_jobs').length > 0 ? true : undefined),
      20_000,
    );
  });
});
