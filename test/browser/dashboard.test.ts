import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { testConfig } from '../support/test-env';
import { requireTool } from '../support/tools';
import { sendPredictions, waitForStored } from '../e2e/metrics-exposition';

/** Debian's chromium, driven through playwright-core; found on PATH by the first `before` (requireTool). */
let chromiumPath: string | undefined;
const SCREENSHOTS = 'artifacts/screenshots';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface Trouble {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  errorResponses: string[];
}

/** Everything a page does wrong, as it happens. */
function watch(page: Page): Trouble {
  const trouble: Trouble = { consoleErrors: [], pageErrors: [], failedRequests: [], errorResponses: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => trouble.pageErrors.push(error.message));
  page.on('requestfailed', (req) => trouble.failedRequests.push(`${req.url()}: ${req.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) trouble.errorResponses.push(`${response.status()} ${response.url()}`);
  });
  return trouble;
}

/**
 * Polls a page expression until it is true. (page.waitForFunction with a string
 * evaluates it with eval(), which the pages' Content-Security-Policy forbids.)
 */
async function until(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await page.evaluate(expression)) !== true) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function launch(profile: string, options: { httpCredentials?: { username: string; password: string } } = {}): Promise<BrowserContext> {
  // A fresh profile each time (--user-data-dir): no cache, no stored credentials, nothing from an earlier run.
  const viewport = { width: 1400, height: 1000 };
  return chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: ARGS, viewport, ...options });
}

/** The dashboard as a person sees it, checked against the API's own JSON. */
describe('the /dashboard page in a real browser (Debian chromium)', function () {
  this.timeout(180_000);
  const key = 'browser-test-key-0123456789abcdef';
  const auth = { authorization: `Bearer ${key}` };
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  let trouble: Trouble;
  let profiles: string[] = [];
  let base: string;

  const api = async <T>(path: string): Promise<T> => {
    const { status, body } = await request<T>(stack.api.port, 'GET', path, undefined, auth);
    expect(status, path).to.equal(200);
    return body;
  };
  const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim();
  const dataValue = async (selector: string) => page.getAttribute(selector, 'data-value');
  const profile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
    profiles.push(dir);
    return dir;
  };

  before(async function () {
    chromiumPath = requireTool(this, 'chromium', 'Debian: apt-get install -y chromium');
    stack = await startStack(testConfig({ MONITORING_API_KEY: key }));
    base = `http://127.0.0.1:${stack.api.port}`;
    await sendPredictions(stack.api.port, 300, 0, auth);
    await waitForStored(stack.api.port, 300, auth);
    context = await launch(profile());
    page = await context.newPage();
    trouble = watch(page);
  });
  after(async function () {
    await context?.close();
    await stack?.close();
    for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
    profiles = [];
  });

  it('draws every panel from the API, with the numbers the API gives, without an error or a failed request', async function () {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // refresh=3600: the numbers stay put while the test reads them.
    await page.goto(`${base}/dashboard?key=${key}&refresh=3600`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });

    // The key left the address bar for sessionStorage, and was never asked for.
    expect(page.url()).to.equal(`${base}/dashboard?refresh=3600`);
    expect(await page.evaluate('sessionStorage.getItem("vigil.monitoringKey")')).to.equal(key);
    expect(dialogs).to.deep.equal([]);

    const [model, latency, distribution, series, drift, queue, recent, alerts] = await Promise.all([
      api<{ model_version: string }>('/model'),
      api<{ count: number; p50: number; p95: number; p99: number }>('/monitoring/latency?window=1h'),
      api<{ total: number; fraud: number; non_fraud: number; fraud_rate: number }>('/monitoring/distribution?window=1h'),
      api<{ points: { start: string; fraud: number; non_fraud: number; p50: number | null; p99: number | null }[] }>(
        '/monitoring/timeseries?window=1h&step=1m',
      ),
      api<{
        features: { feature: string; statistic: number; drift: boolean; skipped?: string }[];
        outputs: { feature: string; statistic: number; drift: boolean; skipped?: string }[];
      }>('/monitoring/drift?window=1h'),
      api<{ counts: Record<string, number>; dead_letters: number }>('/monitoring/queue'),
      api<{ predictions: { prediction_id: string }[] }>('/monitoring/predictions?limit=20'),
      api<{ firing: { rule: string }[]; rules: unknown[] }>('/monitoring/alerts'),
    ]);

    // Summary tiles.
    expect(await text('#model-version')).to.equal(model.model_version);
    expect(await text('#stat-count')).to.equal(String(distribution.total));
    expect(distribution.total).to.equal(300);
    expect(await text('#stat-fraud')).to.equal(String(distribution.fraud));
    expect(await text('#stat-fraud-rate')).to.equal(`${(distribution.fraud_rate * 100).toFixed(2)}%`);
    for (const q of ['p50', 'p95', 'p99'] as const) {
      expect(Number(await dataValue(`#stat-${q}`)), q).to.equal(latency[q]);
      expect(Number.parseFloat(await text(`#stat-${q}`)), q).to.be.closeTo(latency[q], latency[q] < 10 ? 0.005 : 0.05);
    }
    expect(await text('#stat-waiting')).to.equal(String(queue.counts.waiting));
    expect(await text('#stat-dead-letters')).to.equal(String(queue.dead_letters));

    // The charts: canvases drawn with the series' colours, holding the API's series.
    for (const [chart, colour] of [
      ['latency', [209, 69, 59]],
      ['classes', [46, 125, 79]],
    ] as const) {
      const drawn = (await page.evaluate(`(() => {
        const canvas = document.querySelector('#chart-${chart} canvas');
        if (!canvas) return null;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let series = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i + 3] > 200 && Math.abs(pixels[i] - ${colour[0]}) < 40 &&
              Math.abs(pixels[i + 1] - ${colour[1]}) < 40 && Math.abs(pixels[i + 2] - ${colour[2]}) < 40) series++;
        }
        return { width: canvas.width, height: canvas.height, series };
      })()`)) as { width: number; height: number; series: number } | null;
      expect(drawn, chart).to.not.equal(null);
      expect(drawn!.width, chart).to.be.greaterThan(200);
      expect(drawn!.height, chart).to.be.greaterThan(100);
      expect(drawn!.series, `${chart}: pixels in the series colour`).to.be.greaterThan(10);
    }
    const plotted = (await page.evaluate(`(() => {
      const { latency, classes } = window.vigilDashboard.charts;
      return { xs: classes.data[0], nonFraud: classes.data[1], fraud: classes.data[2], p50: latency.data[1], p99: latency.data[3] };
    })()`)) as { xs: number[]; nonFraud: number[]; fraud: number[]; p50: (number | null)[]; p99: (number | null)[] };
    const sum = (values: readonly (number | null)[]) => values.reduce<number>((total, v) => total + (v ?? 0), 0);
    expect(sum(plotted.fraud)).to.equal(distribution.fraud);
    expect(sum(plotted.nonFraud)).to.equal(distribution.non_fraud);
    const byStart = new Map(series.points.map((p) => [Date.parse(p.start) / 1000, p]));
    plotted.xs.forEach((x, i) => {
      const point = byStart.get(x);
      if (point === undefined) return; // the minute rolled over between the page's call and ours
      expect(plotted.fraud[i], `fraud at ${point.start}`).to.equal(point.fraud);
      expect(plotted.nonFraud[i], `non-fraud at ${point.start}`).to.equal(point.non_fraud);
      expect(plotted.p50[i], `p50 at ${point.start}`).to.equal(point.p50);
      expect(plotted.p99[i], `p99 at ${point.start}`).to.equal(point.p99);
    });
    expect(await text('#series-fraud-total')).to.equal(String(distribution.fraud));
    expect(await text('#series-non-fraud-total')).to.equal(String(distribution.non_fraud));

    // Drift per feature: one row each, with the API's statistic and verdict.
    const verdicts = [...drift.features, ...drift.outputs];
    const rows = (await page.evaluate(`[...document.querySelectorAll('#drift-table tbody tr')].map((tr) => ({
      feature: tr.dataset.feature, statistic: tr.dataset.statistic, verdict: tr.querySelector('.badge').textContent }))`)) as {
      feature: string;
      statistic?: string;
      verdict: string;
    }[];
    expect(rows.map((r) => r.feature)).to.deep.equal(verdicts.map((f) => f.feature));
    for (const [i, f] of verdicts.entries()) {
      expect(rows[i]!.verdict, f.feature).to.equal(f.skipped ? 'skipped' : f.drift ? 'drift' : 'ok');
      if (!f.skipped) expect(Number(rows[i]!.statistic), f.feature).to.equal(f.statistic);
    }

    // Recent predictions, newest first, as the API lists them.
    const ids = (await page.evaluate(`[...document.querySelectorAll('#recent-table tbody tr')].map((tr) => tr.dataset.predictionId)`)) as string[];
    expect(ids).to.deep.equal(recent.predictions.map((p) => p.prediction_id));

    // Queue health: a row per state with the API's count.
    const states = (await page.evaluate(
      `Object.fromEntries([...document.querySelectorAll('#queue-table tr')].map((tr) => [tr.dataset.stateName, Number(tr.querySelector('td').textContent)]))`,
    )) as Record<string, number>;
    expect(states).to.deep.equal(queue.counts);

    // Alerts: what /monitoring/alerts says fires.
    const firing = (await page.evaluate(`[...document.querySelectorAll('#alerts tr[data-rule]')].map((tr) => tr.dataset.rule)`)) as string[];
    expect(firing).to.deep.equal(alerts.firing.map((a) => a.rule));
    expect(await page.getAttribute('#alerts', 'data-state')).to.equal(alerts.firing.length > 0 ? 'firing' : 'quiet');

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });

    expect(trouble).to.deep.equal({ consoleErrors: [], pageErrors: [], failedRequests: [], errorResponses: [] });
  });

  it('refreshes itself, with the key kept for the tab', async function () {
    await page.goto(`${base}/dashboard?refresh=2`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    expect(await text('#stat-count')).to.equal('300');
    const before = (await page.evaluate('window.vigilDashboard.refreshes')) as number;
    await sendPredictions(stack.api.port, 50, 300, auth);
    await waitForStored(stack.api.port, 350, auth);
    await until(page, `document.querySelector('#stat-count').textContent === '350'`);
    expect((await page.evaluate('window.vigilDashboard.refreshes')) as number).to.be.greaterThan(before);
    expect(await text('#series-non-fraud-total')).to.not.equal('–');

    // Another window: 24 hours in 15-minute steps, the same rows.
    await page.selectOption('#window', '24h');
    await until(page, `window.vigilDashboard.data.timeseries.window === '24h' && document.querySelector('.step').textContent === '15 minutes'`);
    expect((await page.evaluate('window.vigilDashboard.data.timeseries.step')) as string).to.equal('15m');
    expect(await text('#stat-count')).to.equal('350');
    expect(await text('#series-fraud-total')).to.equal(await text('#stat-fraud'));
    expect(trouble).to.deep.equal({ consoleErrors: [], pageErrors: [], failedRequests: [], errorResponses: [] });
  });

  it('asks for the key once when the tab has none, and then draws', async function () {
    const fresh = await context.newPage();
    const freshTrouble = watch(fresh);
    const asked: string[] = [];
    fresh.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept(key);
    });
    await fresh.goto(`${base}/dashboard?refresh=3600`);
    await fresh.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    expect(asked).to.have.length(1);
    expect(asked[0]).to.include('Monitoring key');
    expect(await fresh.textContent('#stat-count')).to.equal('350');
    // Only the calls made before the key was given were refused.
    expect(freshTrouble.pageErrors).to.deep.equal([]);
    expect(freshTrouble.failedRequests).to.deep.equal([]);
    expect(freshTrouble.errorResponses.every((r) => r.startsWith('401 '))).to.equal(true);
    await fresh.close();
  });

  it('says "alerts unavailable" when the API has no /monitoring/alerts, and draws the rest', async function () {
    const fresh = await context.newPage();
    const freshTrouble = watch(fresh);
    // An API from before alerting: /monitoring/alerts is the JSON 404 of an unknown route.
    await fresh.route('**/monitoring/alerts', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'No route GET /monitoring/alerts', details: {} } }),
      }),
    );
    await fresh.goto(`${base}/dashboard?key=${key}&refresh=3600`);
    await fresh.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    expect(await fresh.getAttribute('#alerts', 'data-state')).to.equal('unavailable');
    expect((await fresh.textContent('#alerts'))?.trim()).to.match(/^alerts unavailable/);
    expect(await fresh.textContent('#stat-count')).to.equal('350');
    expect(freshTrouble.pageErrors).to.deep.equal([]);
    expect(freshTrouble.failedRequests).to.deep.equal([]);
    // The 404 itself, which Chromium reports on the console as a failed load: nothing else.
    expect(freshTrouble.errorResponses).to.deep.equal([`404 ${base}/monitoring/alerts`]);
    expect(freshTrouble.consoleErrors.every((m) => /status of 404/.test(m))).to.equal(true);
    await fresh.close();
  });

  it('opens bull-board at /admin/queues with the key as HTTP Basic password, its own assets loading', async function () {
    const board = await launch(profile(), { httpCredentials: { username: 'operator', password: key } });
    try {
      const boardPage = await board.newPage();
      const boardTrouble = watch(boardPage);
      await boardPage.goto(`${base}/admin/queues`);
      const deadLetterQueue = `${stack.config.queueName}-dead-letter`;
      await until(boardPage, `document.body.innerText.includes(${JSON.stringify(deadLetterQueue)})`);
      expect(await boardPage.evaluate('document.body.innerText')).to.include(stack.config.queueName);
      // The overview has loaded its data from the board's API (through the same credentials).
      await until(boardPage, `!document.body.innerText.includes('Loading')`);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await boardPage.screenshot({ path: join(SCREENSHOTS, 'queues.png') });
      // bull-board's template links Google Fonts; the policy refuses that, and it is the only thing refused.
      const outside = (entry: string) => entry.includes('fonts.googleapis.com');
      expect(boardTrouble.pageErrors).to.deep.equal([]);
      expect(boardTrouble.failedRequests.filter((r) => !outside(r))).to.deep.equal([]);
      expect(boardTrouble.errorResponses.filter((r) => !r.startsWith('401 '))).to.deep.equal([]);
      expect(boardTrouble.consoleErrors.filter((m) => !outside(m))).to.deep.equal([]);
    } finally {
      await board.close();
    }
  });
});
