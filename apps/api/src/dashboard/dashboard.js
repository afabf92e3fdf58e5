// Vigil's built-in dashboard: plain browser JavaScript, no build step.
// It reads the /monitoring endpoints of the API that served it and draws
// them with uPlot (served from node_modules under /dashboard/assets/).
// The monitoring key, when the API has one, comes from ?key= or a prompt and
// is kept in sessionStorage (this tab only); it is sent as a Bearer header.
(function () {
  'use strict';

  const KEY_STORAGE = 'vigil.monitoringKey';
  const STEP_FOR_WINDOW = { '15m': '1m', '1h': '1m', '6h': '5m', '24h': '15m' };
  const STEP_NAMES = { '1m': 'minute', '5m': '5 minutes', '15m': '15 minutes' };
  const RECENT_LIMIT = 20;
  // Model quality has its own window: labels arrive days after their predictions, so minutes say little.
  const QUALITY_BUCKET_FOR_WINDOW = { '24h': '1h', '7d': '1d', '30d': '1d' };
  const QUALITY_WINDOW_SECONDS = { '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 };
  const BUCKET_SECONDS = { '1h': 3600, '1d': 86400 };
  const BUCKET_NAMES = { '1h': 'hour', '1d': 'day' };

  const params = new URL(location.href).searchParams;
  const refreshSeconds = clampInt(params.get('refresh'), 10, 2, 3600);
  let windowLabel = STEP_FOR_WINDOW[params.get('window')] ? params.get('window') : '1h';
  let qualityWindow = QUALITY_BUCKET_FOR_WINDOW[params.get('quality')] ? params.get('quality') : '7d';
  let key = takeKey();
  let timer;
  let askedForKey = false;

  /** What the page last drew, for people debugging it (and for the browser test). */
  const state = { refreshes: 0, lastRefreshAt: null, data: {}, errors: {}, charts: {} };
  window.vigilDashboard = state;

  function clampInt(raw, fallback, min, max) {
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
  }

  /** ?key= is moved into sessionStorage and out of the address bar (and so out of history). */
  function takeKey() {
    const url = new URL(location.href);
    const fromUrl = url.searchParams.get('key');
    if (fromUrl) {
      sessionStorage.setItem(KEY_STORAGE, fromUrl);
      url.searchParams.delete('key');
      history.replaceState(null, '', url.pathname + url.search + url.hash);
    }
    return sessionStorage.getItem(KEY_STORAGE);
  }

  function askForKey() {
    const entered = window.prompt('Monitoring key (MONITORING_API_KEY) for this API:');
    if (entered === null || entered.trim() === '') return false;
    key = entered.trim();
    sessionStorage.setItem(KEY_STORAGE, key);
    return true;
  }

  class NeedsKey extends Error {}

  /**
   * GET a JSON endpoint of this API. `optional`: true resolves undefined for a 404 (a route an older
   * API lacks); a list of statuses does so for each of them (503 NOT_READY: a store without that data).
   */
  async function api(path, optional) {
    const headers = { accept: 'application/json' };
    if (key) headers.authorization = 'Bearer ' + key;
    const response = await fetch(path, { headers, cache: 'no-store' });
    if (response.status === 401) throw new NeedsKey('the monitoring key is missing or wrong');
    const absent = optional === true ? [404] : optional || [];
    if (absent.includes(response.status)) return undefined;
    const body = await response.json().catch(() => undefined);
    if (!response.ok) throw new Error((body && body.error && body.error.message) || 'HTTP ' + response.status);
    return body;
  }

  // ---- formatting ---------------------------------------------------------

  function fmtInt(n) {
    return n === null || n === undefined ? '–' : String(n);
  }
  function fmtMs(n) {
    if (n === null || n === undefined) return '–';
    return n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : n.toFixed(0);
  }
  function fmtRate(n) {
    return n === null || n === undefined ? '–' : (n * 100).toFixed(2) + '%';
  }
  function fmtNum(n) {
    if (n === null || n === undefined || Number.isNaN(n)) return '–';
    if (n === 0) return '0';
    return Math.abs(n) >= 0.001 && Math.abs(n) < 10000 ? n.toPrecision(4) : n.toExponential(2);
  }
  function fmtAge(seconds) {
    if (seconds < 60) return seconds.toFixed(1) + ' s';
    if (seconds < 3600) return (seconds / 60).toFixed(1) + ' min';
    return (seconds / 3600).toFixed(1) + ' h';
  }
  /** A quality figure (precision, recall, AUC): 4 decimals; null (undefined for the data) is a dash, never NaN. */
  function fmtRatio(n) {
    return n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(4);
  }
  function fmtTime(iso) {
    return new Date(iso).toLocaleTimeString();
  }

  // ---- DOM helpers (textContent only: nothing from the API becomes markup) --

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null) continue;
      if (name === 'class') node.className = value;
      else node.setAttribute(name, String(value));
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }
  function setValue(id, text, raw) {
    const node = document.getElementById(id);
    node.textContent = text;
    if (raw === undefined || raw === null) node.removeAttribute('data-value');
    else node.setAttribute('data-value', String(raw));
  }
  function replaceRows(tbody, rows) {
    tbody.replaceChildren(...rows);
  }
  function showState(container, stateName, text) {
    container.setAttribute('data-state', stateName);
    container.replaceChildren(el('p', { class: stateName === 'error' ? 'error' : 'unavailable' }, text));
  }

  // ---- charts ---------------------------------------------------------------

  // Points as well as lines: a minute with traffic between two without is a point, not a line.
  const POINTS = { show: true, size: 5 };
  // Quality timelines have few buckets (8 days, 25 hours), often one with labels: larger points, so a lone bucket shows.
  const QUALITY_POINTS = { show: true, size: 8 };
  // Estimates are dashed lines and filled points, beside the realized figures' solid lines and hollow points.
  const estimatePoints = (colour) => ({ show: true, size: 8, fill: colour });
  // Half a bucket either side, so the first and the current bucket are not cut in half at the edges.
  const QUALITY_X = {
    range: (u, min, max) => {
      const xs = u.data[0];
      const half = xs.length > 1 ? (xs[1] - xs[0]) / 2 : 1800;
      return [min - half, max + half];
    },
  };
  // Counts are 0 in quiet minutes: mark only the minutes that had predictions.
  const NONZERO_POINTS = {
    show: true,
    size: 5,
    filter: (u, seriesIdx) => u.data[seriesIdx].flatMap((value, i) => (value ? [i] : [])),
  };

  function chartWidth(container) {
    return Math.max(300, container.clientWidth);
  }

  /** `options.x` and `options.y`: extra settings of uPlot's scales (a range); `options.yValues`: the y tick labels. */
  function drawChart(name, container, series, data, options) {
    const existing = state.charts[name];
    if (existing) {
      existing.setData(data);
      return existing;
    }
    const x = Object.assign({ time: true }, options && options.x);
    const y = (options && options.y) || {};
    const yAxis = options && options.yValues ? { size: 60, values: options.yValues } : { size: 60 };
    const chart = new uPlot(
      {
        width: chartWidth(container),
        height: 240,
        series: [{}, ...series],
        axes: [{}, yAxis],
        scales: { x, y },
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      container,
    );
    state.charts[name] = chart;
    return chart;
  }

  window.addEventListener('resize', () => {
    for (const [name, chart] of Object.entries(state.charts)) {
      chart.setSize({ width: chartWidth(document.getElementById('chart-' + name)), height: 240 });
    }
  });

  // ---- sections -----------------------------------------------------------

  function renderSummary(latency, distribution) {
    setValue('stat-count', fmtInt(distribution.total), distribution.total);
    setValue('stat-fraud', fmtInt(distribution.fraud), distribution.fraud);
    setValue('stat-fraud-rate', fmtRate(distribution.fraud_rate), distribution.fraud_rate);
    setValue('stat-p50', fmtMs(latency.p50) + ' ms', latency.p50);
    setValue('stat-p95', fmtMs(latency.p95) + ' ms', latency.p95);
    setValue('stat-p99', fmtMs(latency.p99) + ' ms', latency.p99);
  }

  function renderTimeseries(series) {
    const xs = series.points.map((p) => Date.parse(p.start) / 1000);
    const stepName = STEP_NAMES[series.step] || series.step;
    for (const node of document.querySelectorAll('.step')) node.textContent = stepName;
    drawChart(
      'latency',
      document.getElementById('chart-latency'),
      [
        { label: 'p50', stroke: '#3867d6', width: 2, points: POINTS },
        { label: 'p95', stroke: '#b7791f', width: 2, points: POINTS },
        { label: 'p99', stroke: '#d1453b', width: 2, points: POINTS },
      ],
      [xs, series.points.map((p) => p.p50), series.points.map((p) => p.p95), series.points.map((p) => p.p99)],
    );
    drawChart(
      'classes',
      document.getElementById('chart-classes'),
      [
        { label: 'non-fraud', stroke: '#2e7d4f', fill: 'rgba(46,125,79,0.12)', width: 2, points: NONZERO_POINTS },
        { label: 'fraud', stroke: '#d1453b', fill: 'rgba(209,69,59,0.15)', width: 2, points: NONZERO_POINTS },
      ],
      [xs, series.points.map((p) => p.non_fraud), series.points.map((p) => p.fraud)],
    );
    const fraud = series.points.reduce((sum, p) => sum + p.fraud, 0);
    const nonFraud = series.points.reduce((sum, p) => sum + p.non_fraud, 0);
    setValue('series-fraud-total', fmtInt(fraud), fraud);
    setValue('series-non-fraud-total', fmtInt(nonFraud), nonFraud);
    const empty = series.points.every((p) => p.count === 0);
    document.getElementById('latency-note').textContent = empty ? 'No predictions in this window yet.' : '';
  }

  /**
   * How far a feature is toward its drift threshold, 0 to 1 (1: at or past it).
   * p-value tests drift when p < threshold, so the scale is log p / log threshold;
   * distance tests when statistic >= threshold.
   */
  function towardThreshold(f) {
    const ratio = f.p_value === null || f.p_value === undefined ? f.statistic / f.threshold : f.p_value <= 0 ? 1 : Math.log(f.p_value) / Math.log(f.threshold);
    return Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1;
  }

  function renderDrift(report) {
    const rows = [...report.features, ...report.outputs].map((f) => {
      const verdict = f.skipped ? 'skipped' : f.drift ? 'drift' : 'ok';
      const bar = el('div', { class: 'bar' + (f.drift ? ' drift' : '') });
      bar.style.width = f.skipped ? '0' : (towardThreshold(f) * 100).toFixed(1) + '%';
      return el(
        'tr',
        { 'data-feature': f.feature, 'data-statistic': f.skipped ? null : f.statistic, 'data-drift': String(f.drift) },
        el('td', {}, f.feature),
        el('td', {}, f.test),
        el('td', { class: 'num' }, f.skipped ? '–' : fmtNum(f.statistic)),
        el('td', { class: 'num' }, fmtNum(f.p_value)),
        el('td', { class: 'num' }, fmtNum(f.threshold)),
        el('td', {}, el('span', { class: 'badge ' + verdict, title: f.skipped || '' }, verdict)),
        el('td', { class: 'bar-cell' }, bar),
      );
    });
    replaceRows(document.querySelector('#drift-table tbody'), rows);
    const d = report.dataset;
    document.getElementById('drift-summary').textContent =
      `${d.drifted_features} of ${d.features} input features drift (dataset drift: ${d.drift ? 'yes' : 'no'}); ` +
      `${report.sample.rows_compared} of ${report.sample.rows_in_window} rows compared; reference ${report.reference.model_version}.`;
    setValue('stat-drift', `${d.drifted_features} / ${d.features}`, d.drifted_features);
  }

  function renderAlerts(alerts) {
    const container = document.getElementById('alerts');
    if (alerts === undefined) {
      showState(container, 'unavailable', 'alerts unavailable: this API has no /monitoring/alerts');
      return;
    }
    const firing = Array.isArray(alerts.firing) ? alerts.firing : [];
    const rules = Array.isArray(alerts.rules) ? alerts.rules.length : undefined;
    container.setAttribute('data-state', firing.length > 0 ? 'firing' : 'quiet');
    container.setAttribute('data-firing', String(firing.length));
    if (firing.length === 0) {
      container.replaceChildren(el('p', { class: 'note' }, 'No alert is firing' + (rules === undefined ? '.' : ` (${rules} rules watched).`)));
      return;
    }
    container.replaceChildren(
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el('tr', {}, el('th', {}, 'rule'), el('th', {}, 'since'), el('th', { class: 'num' }, 'value'), el('th', { class: 'num' }, 'threshold')),
        ),
        el(
          'tbody',
          {},
          ...firing.map((a) =>
            el(
              'tr',
              { 'data-rule': a.rule },
              el('td', {}, el('span', { class: 'badge firing' }, a.rule)),
              el('td', {}, a.since ? fmtTime(a.since) : '–'),
              el('td', { class: 'num' }, typeof a.value === 'number' ? fmtNum(a.value) : '–'),
              el('td', { class: 'num' }, typeof a.threshold === 'number' ? fmtNum(a.threshold) : '–'),
            ),
          ),
        ),
      ),
    );
  }

  function renderQueue(queue) {
    const container = document.getElementById('queue');
    container.setAttribute('data-state', 'ok');
    const states = Object.entries(queue.counts);
    const oldest = queue.oldest_waiting;
    const t = queue.throughput;
    container.replaceChildren(
      el(
        'table',
        { id: 'queue-table' },
        el('tbody', {}, ...states.map(([name, count]) => el('tr', { 'data-state-name': name }, el('th', {}, name), el('td', { class: 'num' }, fmtInt(count))))),
      ),
      el(
        'p',
        { class: 'note' },
        `Oldest waiting batch: ${oldest ? fmtAge(oldest.age_seconds) : 'none waiting'}. ` +
          `Dead letters: ${queue.dead_letters}. ` +
          `Last ${t.minutes} min: ${t.completed} batches completed, ${t.failed} failed` +
          (queue.paused ? '. The queue is PAUSED.' : '.'),
      ),
    );
    setValue('stat-waiting', fmtInt(queue.counts.waiting), queue.counts.waiting);
    setValue('stat-dead-letters', fmtInt(queue.dead_letters), queue.dead_letters);
  }

  function renderRecent(recent) {
    const rows = recent.predictions.map((p) =>
      el(
        'tr',
        { 'data-prediction-id': p.prediction_id },
        el('td', {}, fmtTime(p.timestamp)),
        el('td', { title: p.prediction_id }, el('code', {}, p.prediction_id)),
        el('td', {}, p.model_version),
        el('td', {}, el('span', { class: 'badge ' + (p.prediction === 1 ? 'fraud' : 'non_fraud') }, p.prediction === 1 ? 'fraud' : 'non-fraud')),
        el('td', { class: 'num' }, p.probability.toFixed(4)),
        el('td', { class: 'num' }, fmtMs(p.latency_ms)),
      ),
    );
    replaceRows(document.querySelector('#recent-table tbody'), rows);
  }

  /**
   * The timeline's buckets on every bucket of the window, empty ones as null, so the x axis spans the
   * window and a lone bucket is a point, not a line. Bucket starts are multiples of the bucket since
   * the epoch (the rollups' hour and UTC-day keys), as the API's are.
   */
  function qualitySeries(timeline) {
    const step = BUCKET_SECONDS[timeline.bucket];
    const nowSeconds = Date.now() / 1000;
    const byStart = new Map(timeline.buckets.map((b) => [Date.parse(b.start) / 1000, b]));
    const starts = [...byStart.keys()];
    const first = Math.min(Math.floor((nowSeconds - QUALITY_WINDOW_SECONDS[qualityWindow]) / step) * step, ...starts);
    const last = Math.max(Math.floor(nowSeconds / step) * step, ...starts);
    const xs = [];
    for (let x = first; x <= last; x += step) xs.push(x);
    const column = (pick) => xs.map((x) => (byStart.has(x) ? pick(byStart.get(x)) : null));
    return {
      xs,
      realizedPrecision: column((b) => b.realized.precision),
      realizedRecall: column((b) => b.realized.recall),
      estimatedPrecision: column((b) => b.estimated.precision),
      estimatedRecall: column((b) => b.estimated.recall),
      coverage: column((b) => b.label_coverage),
    };
  }

  function setQualityTile(id, value, empty) {
    const node = document.getElementById(id);
    node.classList.toggle('empty', empty !== undefined);
    setValue(id, empty !== undefined ? empty : fmtRatio(value), empty !== undefined ? null : value);
  }

  function renderQuality(performance, timeline) {
    const panel = document.getElementById('panel-quality');
    const note = document.getElementById('quality-note');
    if (performance === undefined) {
      panel.setAttribute('data-state', 'unavailable');
      note.textContent =
        'model quality unavailable: this API keeps no quality rollups in its monitoring store (MONITORING_STORE=postgres), or has no /monitoring/performance';
      for (const node of panel.querySelectorAll('.tile .value')) setValue(node.id, '–');
      return;
    }
    const { realized, estimated } = performance;
    const noLabels = performance.labeled === 0 ? 'no labels yet' : undefined;
    setQualityTile('quality-realized-precision', realized.precision, noLabels);
    setQualityTile('quality-realized-recall', realized.recall, noLabels);
    setQualityTile('quality-realized-roc-auc', realized.roc_auc, noLabels);
    setQualityTile('quality-estimated-precision', estimated.precision);
    setQualityTile('quality-estimated-recall', estimated.recall);
    const errors = estimated.sampling_error;
    document.getElementById('quality-estimated-precision').title = errors.precision === null ? '' : '± ' + fmtRatio(errors.precision) + ' sampling error';
    document.getElementById('quality-estimated-recall').title = errors.recall === null ? '' : '± ' + fmtRatio(errors.recall) + ' sampling error';
    setValue('quality-coverage', fmtRate(performance.label_coverage), performance.label_coverage);
    setValue('quality-labeled', fmtInt(performance.labeled), performance.labeled);

    const delay = performance.label_delay_seconds;
    if (performance.predictions === 0) {
      panel.setAttribute('data-state', 'empty');
      note.textContent = 'No predictions in this window yet.';
    } else if (noLabels) {
      panel.setAttribute('data-state', 'no-labels');
      note.textContent =
        `No labels yet: realized figures appear as labels arrive (POST /feedback). ` + `The estimate covers the ${estimated.rows} predictions of the window.`;
    } else {
      panel.setAttribute('data-state', 'ready');
      note.textContent =
        `${performance.labeled} of ${performance.predictions} predictions labeled; estimated over the ${estimated.rows} without a label. ` +
        `Label delay p50 ${delay.p50 === null ? '–' : fmtAge(delay.p50)}, p95 ${delay.p95 === null ? '–' : fmtAge(delay.p95)}.`;
    }

    if (timeline === undefined) return;
    for (const node of document.querySelectorAll('.quality-bucket')) node.textContent = BUCKET_NAMES[timeline.bucket] || timeline.bucket;
    const series = qualitySeries(timeline);
    const unit = { range: [0, 1] };
    drawChart(
      'quality',
      document.getElementById('chart-quality'),
      [
        { label: 'realized precision', stroke: '#3867d6', width: 2, points: QUALITY_POINTS },
        { label: 'realized recall', stroke: '#b7791f', width: 2, points: QUALITY_POINTS },
        { label: 'estimated precision', stroke: '#3867d6', width: 2, dash: [6, 4], points: estimatePoints('#3867d6') },
        { label: 'estimated recall', stroke: '#b7791f', width: 2, dash: [6, 4], points: estimatePoints('#b7791f') },
      ],
      [series.xs, series.realizedPrecision, series.realizedRecall, series.estimatedPrecision, series.estimatedRecall],
      { x: QUALITY_X, y: unit },
    );
    drawChart(
      'coverage',
      document.getElementById('chart-coverage'),
      [{ label: 'label coverage', stroke: '#2e7d4f', fill: 'rgba(46,125,79,0.12)', width: 2, points: QUALITY_POINTS, value: (u, v) => fmtRate(v) }],
      [series.xs, series.coverage],
      { x: QUALITY_X, y: unit, yValues: (u, ticks) => ticks.map((t) => (t * 100).toFixed(0) + '%') },
    );
  }

  // ---- the refresh loop ------------------------------------------------------

  const SECTIONS = {
    model: () => api('/model'),
    latency: () => api('/monitoring/latency?window=' + windowLabel),
    distribution: () => api('/monitoring/distribution?window=' + windowLabel),
    timeseries: () => api(`/monitoring/timeseries?window=${windowLabel}&step=${STEP_FOR_WINDOW[windowLabel]}`),
    drift: () => api('/monitoring/drift?window=' + windowLabel),
    alerts: () => api('/monitoring/alerts', true),
    queue: () => api('/monitoring/queue'),
    recent: () => api('/monitoring/predictions?limit=' + RECENT_LIMIT),
    // 503 NOT_READY: the monitoring store keeps no quality rollups (Postgres); 404: an API from before model quality.
    performance: () => api('/monitoring/performance?window=' + qualityWindow, [404, 503]),
    qualityTimeline: () => api(`/monitoring/performance/timeline?window=${qualityWindow}&bucket=${QUALITY_BUCKET_FOR_WINDOW[qualityWindow]}`, [404, 503]),
  };

  function sectionError(name, message) {
    const containers = { alerts: 'alerts', queue: 'queue' };
    if (containers[name]) showState(document.getElementById(containers[name]), 'error', `${name} unavailable: ${message}`);
    if (name === 'drift') document.getElementById('drift-summary').textContent = 'drift unavailable: ' + message;
    if (name === 'performance' || name === 'qualityTimeline' || name === 'quality') {
      document.getElementById('panel-quality').setAttribute('data-state', 'error');
      document.getElementById('quality-note').textContent = 'model quality unavailable: ' + message;
    }
  }

  // One refresh at a time; a change asked for meanwhile (another window) runs right after.
  let refreshing = false;
  let again = false;
  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      do {
        again = false;
        await refreshOnce();
      } while (again);
    } finally {
      refreshing = false;
    }
  }

  async function refreshOnce() {
    clearTimeout(timer);
    const names = Object.keys(SECTIONS);
    const results = await Promise.allSettled(names.map((name) => SECTIONS[name]()));
    if (results.some((r) => r.status === 'rejected' && r.reason instanceof NeedsKey)) {
      // Ask once per page load by itself; the Key… button asks again.
      if (!askedForKey) {
        askedForKey = true;
        if (askForKey()) return refreshOnce();
      }
      document.body.setAttribute('data-state', 'needs-key');
      document.getElementById('status').textContent = 'needs the monitoring key (Key… button or ?key=)';
      timer = setTimeout(refresh, refreshSeconds * 1000);
      return;
    }
    state.errors = {};
    results.forEach((result, i) => {
      const name = names[i];
      if (result.status === 'fulfilled') state.data[name] = result.value;
      else {
        state.errors[name] = String(result.reason && result.reason.message);
        delete state.data[name];
      }
    });
    const draw = {
      model: (m) => (document.getElementById('model-version').textContent = m.model_version),
      summary: () => state.data.latency && state.data.distribution && renderSummary(state.data.latency, state.data.distribution),
      timeseries: renderTimeseries,
      drift: renderDrift,
      alerts: renderAlerts,
      queue: renderQueue,
      recent: renderRecent,
      quality: () => {
        const failed = ['performance', 'qualityTimeline'].find((part) => part in state.errors);
        if (failed) sectionError(failed, state.errors[failed]);
        else renderQuality(state.data.performance, state.data.qualityTimeline);
      },
    };
    for (const [name, render] of Object.entries(draw)) {
      try {
        if (name === 'summary' || name === 'quality') render();
        else if (name in state.errors) sectionError(name, state.errors[name]);
        else if (name in state.data || name === 'alerts') render(state.data[name]);
      } catch (error) {
        state.errors[name] = String(error && error.message);
        sectionError(name, state.errors[name]);
      }
    }
    const failed = Object.keys(state.errors);
    state.refreshes += 1;
    state.lastRefreshAt = new Date().toISOString();
    document.body.setAttribute('data-state', failed.length === 0 ? 'ready' : 'error');
    document.getElementById('status').textContent =
      failed.length === 0 ? 'updated ' + new Date().toLocaleTimeString() : `updated ${new Date().toLocaleTimeString()}; unavailable: ${failed.join(', ')}`;
    timer = setTimeout(refresh, refreshSeconds * 1000);
  }

  document.getElementById('refresh-seconds').textContent = String(refreshSeconds);
  const select = document.getElementById('window');
  select.value = windowLabel;
  select.addEventListener('change', () => {
    windowLabel = select.value;
    void refresh();
  });
  const qualitySelect = document.getElementById('quality-window');
  qualitySelect.value = qualityWindow;
  qualitySelect.addEventListener('change', () => {
    qualityWindow = qualitySelect.value;
    void refresh();
  });
  document.getElementById('set-key').addEventListener('click', () => {
    if (askForKey()) void refresh();
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refresh();
  });
  void refresh();
})();
