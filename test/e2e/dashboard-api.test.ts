import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { LOG_BATCH_COLUMNS, LOG_BATCH_JOB, logBatchRecords } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { PostgresStore, SqliteWriter } from '@vigil/stores';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import { monitoringFixture, predictionRecord } from '../support/fixtures/prediction-records';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { dropSchema, referenceInstances, testConfig, waitFor } from '../support/test-env';
import { sendPredictions, waitForStored } from './metrics-exposition';

interface Point {
  start: string;
  count: number;
  fraud: number;
  non_fraud: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}
interface Series {
  window: string;
  step: string;
  step_seconds: number;
  points: Point[];
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`GET /monitoring/timeseries reading from ${store}`, function () {
    this.timeout(60_000);
    let api: RunningApi;
    let schema: string;
    let records: PredictionRecord[];

    before(async function () {
      const config = testConfig({ MONITORING_STORE: store, PREDICTION_LOGGING: 'off' });
      schema = config.auditSchema;
      records = monitoringFixture(Date.now());
      const writer = SqliteWriter.open(config.sqlitePath);
      writer.insertBatch(records);
      writer.close();
      const postgres = await PostgresStore.open({ connectionString: config.auditDatabaseUrl!, schema });
      await postgres.insertBatch(records);
      await postgres.close();
      api = await startApi(config);
    });
    after(async function () {
      await api?.close();
      await dropSchema(schema);
    });

    it('gives every minute of the window, oldest first, with the counts of the rows stored in it', async function () {
      const { status, body } = await request<Series>(api.port, 'GET', '/monitoring/timeseries?window=1h&step=1m');
      expect(status).to.equal(200);
      expect(body).to.include({ window: '1h', step: '1m', step_seconds: 60 });
      // The current minute and the 60 before it, as /monitoring/latency counts "1h".
      expect(body.points).to.have.length(61);
      const starts = body.points.map((p) => Date.parse(p.start));
      for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).to.equal(60_000);
      expect(starts[0]! % 60_000).to.equal(0);
      for (const point of body.points) {
        const inMinute = records.filter((r) => Math.floor(Date.parse(r.timestamp) / 60_000) * 60_000 === Date.parse(point.start));
        expect(point.count, point.start).to.equal(inMinute.length);
        expect(point.fraud, point.start).to.equal(inMinute.filter((r) => r.prediction === 1).length);
        expect(point.non_fraud).to.equal(point.count - point.fraud);
        if (point.count === 0) expect([point.p50, point.p95, point.p99]).to.deep.equal([null, null, null]);
        else expect(point.p99!).to.be.closeTo(Math.max(...inMinute.map((r) => r.latency_ms)), Math.max(...inMinute.map((r) => r.latency_ms)) * 0.01 + 0.5);
      }
      const totals = (await request<{ fraud: number; non_fraud: number }>(api.port, 'GET', '/monitoring/distribution?window=1h')).body;
      expect(body.points.reduce((sum, p) => sum + p.fraud, 0)).to.equal(totals.fraud);
      expect(body.points.reduce((sum, p) => sum + p.non_fraud, 0)).to.equal(totals.non_fraud);
    });

    it('merges the minutes of a step before taking percentiles, so one step over the window gives /monitoring/latency', async function () {
      const series = (await request<Series>(api.port, 'GET', '/monitoring/timeseries?window=1h&step=1h')).body;
      const latency = (await request<{ count: number; p50: number; p95: number; p99: number }>(api.port, 'GET', '/monitoring/latency?window=1h')).body;
      // 61 minutes in steps of 60: the first step holds every row of the fixture's last hour.
      expect(series.points.map((p) => p.count)).to.deep.equal([100, 0]);
      const [first] = series.points;
      expect(first).to.include({ p50: latency.p50, p95: latency.p95, p99: latency.p99 });
      // numpy's percentiles of 1..100, within the rollup histogram's 1%.
      expect(first!.p50!).to.be.closeTo(50.5, 0.505);
      expect(first!.p95!).to.be.closeTo(95.05, 0.9505);
      expect(first!.p99!).to.be.closeTo(99.01, 0.9901);
    });

    it('covers 24 hours in hourly steps, and filters by model version', async function () {
      const day = (await request<Series>(api.port, 'GET', '/monitoring/timeseries?window=24h&step=1h')).body;
      expect(day.points).to.have.length(25);
      expect(day.points.reduce((sum, p) => sum + p.count, 0)).to.equal(120);
      const other = (await request<Series>(api.port, 'GET', '/monitoring/timeseries?window=24h&step=1h&model_version=another@1')).body;
      expect(other.points.every((p) => p.count === 0)).to.equal(true);
      const same = (await request<Series>(api.port, 'GET', '/monitoring/timeseries?window=24h&step=1h&model_version=fraud-detection-model@fixture')).body;
      expect(same.points.reduce((sum, p) => sum + p.count, 0)).to.equal(120);
    });

    it('refuses a step longer than the window, too many points, a bad step and unknown parameters', async function () {
      for (const [query, parameter] of [
        ['window=1h&step=2h', 'step'],
        ['window=30d&step=1m', 'step'],
        ['window=1h&step=fast', 'step'],
        ['window=1y&step=1m', 'window'],
        ['window=1h&step=1m&limit=3', 'limit'],
      ] as const) {
        const { status, body } = await request<{ error: { code: string; details: { parameter: string } } }>(api.port, 'GET', `/monitoring/timeseries?${query}`);
        expect(status, query).to.equal(400);
        expect(body.error.code, query).to.equal('INVALID_QUERY_PARAMETER');
        expect(body.error.details.parameter, query).to.equal(parameter);
      }
    });
  });
}

interface QueueReport {
  queue: string;
  dead_letter_queue: string;
  paused: boolean;
  counts: Record<string, number>;
  oldest_waiting: { job_id: string; enqueued_at: string; age_seconds: number } | null;
  dead_letters: number;
  throughput: {
    minutes: number;
    completed: number;
    failed: number;
    completed_per_minute: number[];
    failed_per_minute: number[];
    completed_total: number;
    failed_total: number;
  };
}

describe('GET /monitoring/queue against a real queue', function () {
  this.timeout(90_000);
  let stack: Stack;
  let connection: Redis;
  let queue: Queue;

  before(async function () {
    stack = await startStack(testConfig());
    connection = new Redis(stack.config.redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(stack.config.queueName, { connection });
  });
  after(async function () {
    await queue?.resume().catch(() => undefined);
    await queue?.close();
    connection?.disconnect();
    await stack?.close();
  });

  const report = async () => {
    const { status, body } = await request<QueueReport>(stack.api.port, 'GET', '/monitoring/queue');
    expect(status).to.equal(200);
    return body;
  };

  it('counts the batches by state, and the completed ones from the worker metrics BullMQ keeps', async function () {
    await sendPredictions(stack.api.port, 100);
    await waitForStored(stack.api.port, 100);
    const body = await waitFor('the batches completed', async () => {
      const r = await report();
      return r.counts.active === 0 && r.counts.waiting === 0 ? r : undefined;
    });
    expect(body).to.include({
      queue: stack.config.queueName,
      dead_letter_queue: `${stack.config.queueName}-dead-letter`,
      paused: false,
      oldest_waiting: null,
      dead_letters: 0,
    });
    expect(Object.keys(body.counts)).to.deep.equal(['waiting', 'prioritized', 'delayed', 'active', 'waiting-children', 'completed', 'failed']);
    expect(body.counts.completed).to.be.at.least(1);
    expect(body.counts.failed).to.equal(0);
    // Worker option metrics: BullMQ counts each completed job (the per-minute points appear as minutes close).
    expect(body.throughput.completed_total).to.equal(body.counts.completed);
    expect(body.throughput.minutes).to.equal(15);
    expect(body.throughput.completed_per_minute.length).to.be.at.most(15);
    expect(body.throughput.completed).to.equal(body.throughput.completed_per_minute.reduce((a, b) => a + b, 0));
  });

  it('names the oldest waiting batch and its age while the workers are held back', async function () {
    await queue.pause();
    const ids = await sendPredictions(stack.api.port, 60, 100);
    const held = await waitFor('batches waiting', async () => {
      const r = await report();
      return (r.counts.waiting ?? 0) >= 1 && r.oldest_waiting !== null ? r : undefined;
    });
    expect(held.paused).to.equal(true);
    // A batch's job id is its first prediction id, and the first batch is the oldest.
    expect(held.oldest_waiting!.job_id).to.equal(ids[0]);
    expect(Date.parse(held.oldest_waiting!.enqueued_at)).to.be.closeTo(Date.now(), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await report()).oldest_waiting!.age_seconds).to.be.at.least(1);

    await queue.resume();
    await waitForStored(stack.api.port, 160);
    const drained = await waitFor('the queue drained', async () => {
      const r = await report();
      return r.counts.waiting === 0 && r.counts.active === 0 ? r : undefined;
    });
    expect(drained).to.include({ paused: false, oldest_waiting: null });
  });

  it('counts the dead letters', async function () {
    const corrupt = { ...predictionRecord(), probability: 'high' };
    await queue.add(LOG_BATCH_JOB.name, { v: 1, records: [corrupt] });
    const body = await waitFor('a dead letter', async () => {
      const r = await report();
      return r.dead_letters === 1 ? r : undefined;
    });
    expect(body.dead_letters).to.equal(1);
  });

  it('answers 503 NOT_READY when prediction logging is off', async function () {
    const api = await startApi(testConfig({ PREDICTION_LOGGING: 'off' }));
    try {
      const { status, body } = await request<{ error: { code: string } }>(api.port, 'GET', '/monitoring/queue');
      expect(status).to.equal(503);
      expect(body.error.code).to.equal('NOT_READY');
      expect((await request(api.port, 'GET', '/admin/queues')).status).to.equal(404);
    } finally {
      await api.close();
    }
  });
});

describe('bull-board at /admin/queues, behind the monitoring key', function () {
  this.timeout(90_000);
  const key = 'board-test-key-0123456789abcdef';
  let stack: Stack;
  let ids: string[];
  const bearer = { authorization: `Bearer ${key}` };
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${stack.api.port}${path}`, { headers });

  before(async function () {
    stack = await startStack(testConfig({ MONITORING_API_KEY: key }));
    ids = await sendPredictions(stack.api.port, 50);
    await waitForStored(stack.api.port, 50, bearer);
  });
  after(async function () {
    await stack?.close();
  });

  it('challenges a browser with HTTP Basic, and takes the key as a Bearer token or as the Basic password', async function () {
    const none = await get('/admin/queues');
    expect(none.status).to.equal(401);
    expect(none.headers.get('www-authenticate')).to.equal('Basic realm="vigil-monitoring", charset="UTF-8"');
    expect(((await none.json()) as { error: { code: string; details: { reason: string } } }).error).to.deep.include({ code: 'UNAUTHORIZED' });
    expect((await get('/admin/queues', basic('anyone', 'wrong'))).status).to.equal(401);
    expect((await get('/admin/queues', { authorization: 'Bearer wrong' })).status).to.equal(401);
    expect((await get('/admin/queues', { authorization: 'Basic !!!' })).status).to.equal(401);
    for (const headers of [bearer, basic('operator', key), basic('', key)]) {
      const page = await get('/admin/queues', headers);
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.match(/^text\/html/);
    }
    // The rest of /admin still takes the Bearer key only.
    expect((await get('/admin/dead-letters', basic('operator', key))).status).to.equal(401);
    expect((await get('/admin/dead-letters', bearer)).status).to.equal(200);
  });

  it('serves every script, style and image the page links to, with the key, and nothing from elsewhere', async function () {
    const html = await (await get('/admin/queues', basic('operator', key))).text();
    expect(html).to.include('<base href="/admin/queues/" />');
    const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string).filter((href) => !href.startsWith('data:'));
    const external = links.filter((href) => /^https?:/.test(href));
    const local = links.filter((href) => !/^https?:/.test(href) && href !== '/admin/queues/');
    expect(local.length).to.be.at.least(4);
    for (const href of local) {
      const response = await get(new URL(href, 'http://x/admin/queues/').pathname, basic('operator', key));
      expect(response.status, href).to.equal(200);
      expect(response.headers.get('content-type'), href).to.match(/javascript|css|svg|png/);
      // Without the key the assets are refused like the page.
      expect((await get(new URL(href, 'http://x/admin/queues/').pathname)).status, href).to.equal(401);
    }
    // bull-board's template links Google Fonts; the policy refuses it, so the page never reaches outside.
    expect(external.every((href) => href.startsWith('https://fonts.googleapis.com/'))).to.equal(true);
    const csp = (await get('/admin/queues', bearer)).headers.get('content-security-policy')!;
    expect(csp).to.include("default-src 'none'").and.include("style-src 'self' 'unsafe-inline'").and.not.include('googleapis');
    expect((await get('/admin/queues', bearer)).headers.get('x-powered-by')).to.equal(null);
  });

  it('lists the log queue and its dead-letter queue, the latter read-only', async function () {
    const response = await get('/admin/queues/api/queues', bearer);
    expect(response.status).to.equal(200);
    const { queues } = (await response.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    const byName = new Map(queues.map((q) => [q.name, q]));
    expect(byName.get(stack.config.queueName)?.readOnlyMode).to.equal(false);
    expect(byName.get(`${stack.config.queueName}-dead-letter`)?.readOnlyMode).to.equal(true);
    const pause = await fetch(`http://127.0.0.1:${stack.api.port}/admin/queues/api/queues/${stack.config.queueName}-dead-letter/pause`, {
      method: 'PUT',
      headers: bearer,
    });
    expect(pause.status).to.equal(405);
  });

  it('shows a batch job as readable JSON: the records as the API logged them', async function () {
    const response = await get(`/admin/queues/api/queues/${stack.config.queueName}/${ids[0]}`, bearer);
    expect(response.status).to.equal(200);
    const body = (await response.json()) as { job: { id: string; data: { v: number; columns: string[]; feature_names: string[]; rows: unknown[][] } } };
    expect(body.job.id).to.equal(ids[0]);
    expect(body.job.data.v).to.equal(LOG_BATCH_JOB.version);
    expect(body.job.data.columns).to.deep.equal([...LOG_BATCH_COLUMNS]);
    const referenceRow = referenceInstances(1)[0]!;
    expect(body.job.data.feature_names).to.deep.equal(Object.keys(referenceRow));
    const records = logBatchRecords(body.job.data) as PredictionRecord[];
    expect(records[0]?.prediction_id).to.equal(ids[0]);
    expect(records[0]?.features).to.deep.equal(referenceRow);
    // Numbered by the API instance that served it (see "Completeness").
    expect(records[0]?.instance_id).to.be.a('string');
    expect(records[0]?.seq).to.be.a('number');
  });

  it('refuses a queue action that a browser says another site started', async function () {
    const path = `/admin/queues/api/queues/${stack.config.queueName}/pause`;
    const crossSite = await fetch(`http://127.0.0.1:${stack.api.port}${path}`, {
      method: 'PUT',
      headers: { ...basic('operator', key), 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).to.equal(401);
    expect(((await crossSite.json()) as { error: { details: { reason: string } } }).error.details.reason).to.equal('cross_site');
    const otherOrigin = await fetch(`http://127.0.0.1:${stack.api.port}${path}`, { method: 'PUT', headers: { ...bearer, origin: 'https://evil.example' } });
    expect(otherOrigin.status).to.equal(401);
    const sameSite = await fetch(`http://127.0.0.1:${stack.api.port}${path}`, {
      method: 'PUT',
      headers: { ...bearer, 'sec-fetch-site': 'same-origin', origin: `http://127.0.0.1:${stack.api.port}` },
    });
    expect(sameSite.status).to.equal(200);
    const resume = await fetch(`http://127.0.0.1:${stack.api.port}/admin/queues/api/queues/${stack.config.queueName}/resume`, {
      method: 'PUT',
      headers: bearer,
    });
    expect(resume.status).to.equal(200);
  });

  it('keeps /monitoring/queue and /monitoring/timeseries behind the key', async function () {
    for (const path of ['/monitoring/queue', '/monitoring/timeseries?window=1h&step=1m']) {
      expect((await get(path)).status, path).to.equal(401);
      expect((await get(path, bearer)).status, path).to.equal(200);
    }
  });
});

describe('GET /dashboard: a page served by the API', function () {
  this.timeout(60_000);
  const key = 'dashboard-test-key-0123456789ab';
  let api: RunningApi;
  const get = (path: string) => fetch(`http://127.0.0.1:${api.port}${path}`);

  before(async function () {
    api = await startApi(testConfig({ MONITORING_API_KEY: key, PREDICTION_LOGGING: 'off' }));
  });
  after(async function () {
    await api?.close();
  });

  it('serves the page without the key, with a policy that allows only its own files and calls', async function () {
    const page = await get('/dashboard');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).to.include("script-src 'self'").and.include("connect-src 'self'").and.include("frame-ancestors 'none'").and.not.include('unsafe');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.sort()).to.deep.equal([
      '/dashboard/assets/dashboard.css',
      '/dashboard/assets/dashboard.js',
      '/dashboard/assets/uPlot.iife.min.js',
      '/dashboard/assets/uPlot.min.css',
    ]);
    expect(html).to.not.match(/https?:\/\//);
    for (const asset of assets) {
      const response = await get(asset);
      expect(response.status, asset).to.equal(200);
      expect(response.headers.get('content-type'), asset).to.match(asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    }
  });

  it('answers an unknown asset with the JSON 404, and never serves files outside its list', async function () {
    for (const path of ['/dashboard/assets/nope.js', '/dashboard/assets/..%2Fcreate-app.ts', '/dashboard/assets/%2e%2e/package.json']) {
      const response = await get(path);
      expect(response.status, path).to.equal(404);
      expect(response.headers.get('content-type'), path).to.match(/^application\/json/);
    }
  });
});
