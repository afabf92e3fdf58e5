import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { testConfig, waitFor } from '../support/test-env';
import { requireTool } from '../support/tools';
import { sendPredictions, waitForStored } from '../e2e/metrics-exposition';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

type Figure = number | null;
interface Figures {
  predictions: number;
  labeled: number;
  label_coverage: Figure;
  realized: { tp: number; fp: number; precision: Figure; recall: Figure; roc_auc: Figure };
  estimated: { rows: number; precision: Figure; recall: Figure };
}
interface Timeline {
  bucket: string;
  buckets: (Figures & { start: string })[];
}

/** Polls a page expression until it is true (page.waitForFunction would eval(), which the page's CSP forbids). */
async function until(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await page.evaluate(expression)) !== true) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The model-quality section of /dashboard, before and after labels arrive, against the API's own figures. */
describe('the model-quality section of /dashboard in a real browser (Debian chromium)', function () {
  this.timeout(180_000);
  const key = 'browser-quality-key-0123456789abcdef';
  const auth = { authorization: `Bearer ${key}` };
  let chromiumPath: string;
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  let ids: string[];
  const dirs: string[] = [];
  const problems: string[] = [];

  const api = async <T>(path: string): Promise<T> => {
    const { status, body } = await request<T>(stack.api.port, 'GET', path, undefined, auth);
    expect(status, path).to.equal(200);
    return body;
  };
  const tile = async (id: string) => ({ text: ((await page.textContent(`#${id}`)) ?? '').trim(), value: await page.getAttribute(`#${id}`, 'data-value') });
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const open = async (query: string) => {
    await page.goto(`http://127.0.0.1:${stack.api.port}/dashboard?${query}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  };

  before(async function () {
    chromiumPath = requireTool(this, 'chromium', 'Debian: apt-get install -y chromium');
    stack = await startStack(testConfig({ MONITORING_API_KEY: key, SPOOL_DIR: tempDir('vigil-quality-spool-') }));
    ids = await sendPredictions(stack.api.port, 300, 0, auth);
    await waitForStored(stack.api.port, 300, auth);
    context = await chromium.launchPersistentContext(tempDir('vigil-chromium-'), {
      executablePath: chromiumPath,
      headless: true,
      args: ARGS,
      viewport: { width: 1400, height: 1000 },
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('requestfailed', (req) => problems.push(`failed: ${req.url()}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
  });
  after(async function () {
    await context?.close();
    await stack?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('says "no labels yet" before the first label, with the estimate the API gives and never NaN', async function () {
    await open(`key=${key}&refresh=3600`);
    const performance = await api<Figures>('/monitoring/performance?window=7d');
    expect(performance).to.include({ predictions: 300, labeled: 0 });
    expect(await page.getAttribute('#panel-quality', 'data-state')).to.equal('no-labels');
    for (const id of ['quality-realized-precision', 'quality-realized-recall', 'quality-realized-roc-auc']) {
      expect(await tile(id), id).to.deep.equal({ text: 'no labels yet', value: null });
    }
    expect(await page.textContent('#quality-note')).to.match(/^No labels yet/);
    expect(await tile('quality-labeled')).to.deep.equal({ text: '0', value: '0' });
    expect(await tile('quality-coverage')).to.deep.equal({ text: '0.00%', value: '0' });
    const estimated = await tile('quality-estimated-recall');
    expect(Number(estimated.value)).to.equal(performance.estimated.recall);
    expect(estimated.text).to.equal(performance.estimated.recall!.toFixed(4));
    expect(await page.textContent('#panel-quality')).to.not.match(/NaN|undefined/);
    expect(problems).to.deep.equal([]);
  });

  it('shows the realized precision (and the other figures) GET /monitoring/performance gives once labels are in, and plots the timeline', async function () {
    const predicted = await Promise.all(
      (await api<{ predictions: { prediction_id: string; prediction: 0 | 1 }[] }>('/monitoring/predictions?limit=1000')).predictions,
    );
    const predictionOf = new Map(predicted.map((p) => [p.prediction_id, p.prediction]));
    // Labels on every predicted positive but the first (left for the estimate) and two of three negatives:
    // most positives confirmed, some fraud missed.
    const firstPositive = ids.find((id) => predictionOf.get(id) === 1);
    const labels = ids
      .filter((id, i) => id !== firstPositive && (predictionOf.get(id) === 1 || i % 3 !== 0))
      .map((id, i) => ({ prediction_id: id, label: predictionOf.get(id) === 1 ? (i % 4 === 0 ? 0 : 1) : i % 11 === 0 ? 1 : 0 }));
    const { status } = await request(stack.api.port, 'POST', '/feedback', { labels }, auth);
    expect(status).to.equal(202);
    await waitFor(
      'labels joined',
      async () => ((await api<Figures>('/monitoring/performance?window=7d')).labeled === labels.length ? true : undefined),
      30_000,
    );

    await open('refresh=3600');
    const [performance, timeline] = await Promise.all([
      api<Figures>('/monitoring/performance?window=7d'),
      api<Timeline>('/monitoring/performance/timeline?window=7d&bucket=1d'),
    ]);
    expect(performance.realized.tp + performance.realized.fp, 'the test needs predicted fraud among the labeled rows').to.be.greaterThan(0);
    expect(await page.getAttribute('#panel-quality', 'data-state')).to.equal('ready');
    const figures: [string, Figure][] = [
      ['quality-realized-precision', performance.realized.precision],
      ['quality-realized-recall', performance.realized.recall],
      ['quality-realized-roc-auc', performance.realized.roc_auc],
      ['quality-estimated-precision', performance.estimated.precision],
      ['quality-estimated-recall', performance.estimated.recall],
    ];
    for (const [id, expected] of figures) {
      expect(expected, id).to.be.a('number');
      const shown = await tile(id);
      expect(Number(shown.value), id).to.equal(expected);
      expect(shown.text, id).to.equal(expected!.toFixed(4));
    }
    expect(await tile('quality-labeled')).to.deep.equal({ text: String(labels.length), value: String(labels.length) });
    expect(Number((await tile('quality-coverage')).value)).to.equal(performance.label_coverage);
    expect((await tile('quality-coverage')).text).to.equal(`${(performance.label_coverage! * 100).toFixed(2)}%`);

    // The charts hold the timeline's figures at its buckets' starts, and are drawn.
    const plotted = (await page.evaluate(`(() => {
      const { quality, coverage } = window.vigilDashboard.charts;
      return { xs: quality.data[0], precision: quality.data[1], recall: quality.data[2], estimatedPrecision: quality.data[3], coverage: coverage.data[1] };
    })()`)) as { xs: number[]; precision: Figure[]; recall: Figure[]; estimatedPrecision: Figure[]; coverage: Figure[] };
    expect(timeline.buckets.length).to.be.at.least(1);
    for (const bucket of timeline.buckets) {
      const i = plotted.xs.indexOf(Date.parse(bucket.start) / 1000);
      expect(i, `bucket ${bucket.start} on the x axis`).to.be.at.least(0);
      expect(plotted.precision[i], bucket.start).to.equal(bucket.realized.precision);
      expect(plotted.recall[i], bucket.start).to.equal(bucket.realized.recall);
      expect(plotted.estimatedPrecision[i], bucket.start).to.equal(bucket.estimated.precision);
      expect(plotted.coverage[i], bucket.start).to.equal(bucket.label_coverage);
    }
    // Eight days of day buckets (7d starts inside the first), empty ones null.
    expect(plotted.xs).to.have.length(8);
    expect(plotted.precision.filter((v) => v !== null)).to.have.length(timeline.buckets.length);
    const drawn = (await page.evaluate(`(() => {
      const canvas = document.querySelector('#chart-coverage canvas');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let series = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] > 200 && Math.abs(pixels[i] - 46) < 40 && Math.abs(pixels[i + 1] - 125) < 40 && Math.abs(pixels[i + 2] - 79) < 40) series++;
      }
      return series;
    })()`)) as number;
    expect(drawn, 'pixels in the coverage colour').to.be.greaterThan(10);
    expect(await page.textContent('#panel-quality')).to.not.match(/NaN|undefined/);

    mkdirSync('artifacts/screenshots', { recursive: true });
    await page.locator('#panel-quality').screenshot({ path: 'artifacts/screenshots/dashboard-quality.png' });

    // Another quality window: 24 hours in hour buckets, the same labeled rows.
    await page.selectOption('#quality-window', '24h');
    await until(page, `window.vigilDashboard.data.qualityTimeline.bucket === '1h' && document.querySelector('.quality-bucket').textContent === 'hour'`);
    const day = await api<Figures>('/monitoring/performance?window=24h');
    expect(Number((await tile('quality-realized-precision')).value)).to.equal(day.realized.precision);
    expect(problems).to.deep.equal([]);
  });

  it('says model quality is unavailable when the API answers 503 NOT_READY (MONITORING_STORE=postgres), and draws the rest', async function () {
    const fresh = await context.newPage();
    const errors: string[] = [];
    fresh.on('pageerror', (error) => errors.push(error.message));
    // What an API reading Postgres answers: the same JSON 503 the route writes (apps/api/test/performance-route.test.ts).
    await fresh.route('**/monitoring/performance**', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'NOT_READY', message: 'performance is read from SQLite for now (MONITORING_STORE=sqlite)', details: {} } }),
      }),
    );
    await fresh.goto(`http://127.0.0.1:${stack.api.port}/dashboard?key=${key}&refresh=3600`);
    await fresh.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    expect(await fresh.getAttribute('#panel-quality', 'data-state')).to.equal('unavailable');
    expect(await fresh.textContent('#quality-note')).to.match(/^model quality unavailable/);
    expect(((await fresh.textContent('#quality-realized-precision')) ?? '').trim()).to.equal('–');
    expect(await fresh.textContent('#stat-count')).to.equal('300');
    expect(errors).to.deep.equal([]);
    await fresh.close();
  });
});
