import type { Performance, PerformanceFigures, PerformanceTimeline } from '@vigil/monitoring';
import { dataValue, escapeHtml, formatCount, formatPercent, formatRatio, formatSeconds, formatSigned } from './html-text';
import { svgLineChart, svgReliabilityChart, type LineSeries } from './svg-charts';

/** Where the CBPE calibration came from, named in the report so an estimate can be traced to its reference. */
export interface CalibrationSource {
  readonly path: string;
  readonly model_version: string | null;
  readonly rows: number;
}

export interface PerformanceReportInput {
  readonly performance: Performance;
  readonly timeline: PerformanceTimeline;
  readonly calibration: CalibrationSource;
  readonly generatedAt: Date;
}

type Metric = 'precision' | 'recall' | 'f1' | 'roc_auc';
const METRICS: readonly [Metric, string][] = [
  ['precision', 'Precision'],
  ['recall', 'Recall'],
  ['f1', 'F1'],
  ['roc_auc', 'ROC AUC'],
];

/** A cell holding a figure: the exact value in data-value, so scripts and tests read it without parsing the text. */
const figure = (name: string, value: number | null, text = formatRatio(value)) =>
  `<td class="num" data-metric="${escapeHtml(name)}" data-value="${dataValue(value)}">${text}</td>`;

function headline(p: PerformanceFigures): string {
  const rows = METRICS.map(([key, label]) => {
    const error = p.estimated.sampling_error[key];
    const estimated =
      p.estimated[key] === null ? '—' : `${formatRatio(p.estimated[key])}${error === null ? '' : ` <span class="err">± ${formatRatio(error)}</span>`}`;
    return (
      `<tr><th>${label}</th>${figure(`realized-${key}`, p.realized[key])}${figure(`estimated-${key}`, p.estimated[key], estimated)}` +
      `${figure(`gap-${key}`, p.gap[key], formatSigned(p.gap[key]))}</tr>`
    );
  }).join('');
  const realizedOnly = (
    [
      ['accuracy', 'Accuracy'],
      ['average_precision', 'Average precision'],
      ['brier', 'Brier score'],
      ['log_loss', 'Log loss'],
    ] as const
  )
    .map(([key, label]) => `<tr><th>${label}</th>${figure(`realized-${key}`, p.realized[key])}<td class="num">—</td><td class="num">—</td></tr>`)
    .join('');
  return `<table class="figures"><thead><tr><th></th><th>realized<br><small>${formatCount(p.realized.rows)} labeled rows</small></th>
<th>estimated (CBPE) ± sampling error<br><small>${formatCount(p.estimated.rows)} rows without a label</small></th>
<th>gap<br><small>realized − estimate of the same ${formatCount(p.gap.rows)} rows</small></th></tr></thead>
<tbody>${rows}${realizedOnly}</tbody></table>`;
}

function counts(p: PerformanceFigures): string {
  const row = (name: 'realized' | 'estimated', label: string) =>
    `<tr><th>${label}</th>${(['tp', 'fp', 'tn', 'fn'] as const)
      .map((k) => {
        // Without a quality reference the estimated counts are null (unavailable).
        const value = p[name][k];
        return `<td class="num" data-metric="${name}-${k}" data-value="${dataValue(value)}">${value === null ? '—' : formatCount(value)}</td>`;
      })
      .join('')}<td class="num">${formatCount(p[name].rows)}</td></tr>`;
  return `<table class="figures"><thead><tr><th></th><th>TP</th><th>FP</th><th>TN</th><th>FN</th><th>rows</th></tr></thead>
<tbody>${row('realized', 'realized (labels)')}${row('estimated', 'estimated (expected counts)')}</tbody></table>`;
}

function calibration(p: PerformanceFigures): string {
  const rows = p.realized.calibration
    .map(
      (b) =>
        `<tr><td>[${b.bin_lower.toFixed(1)}, ${b.bin_upper.toFixed(1)})</td><td class="num">${formatCount(b.count)}</td>` +
        `<td class="num">${formatRatio(b.mean_probability)}</td><td class="num">${formatRatio(b.observed_rate)}</td></tr>`,
    )
    .join('');
  const table = `<table class="figures"><thead><tr><th>probability</th><th>labeled rows</th><th>mean probability</th><th>observed fraud rate</th></tr></thead>
<tbody>${rows}</tbody></table>`;
  return `<div class="row">${svgReliabilityChart(p.realized.calibration)}${table}</div>`;
}

/** Bucket starts as short UTC labels: the day for daily buckets, the hour or minute otherwise. */
function bucketLabel(start: string, bucket: string): string {
  const iso = new Date(start).toISOString();
  if (bucket === '1d') return iso.slice(0, 10);
  if (bucket === '1h') return `${iso.slice(5, 10)} ${iso.slice(11, 13)}h`;
  return iso.slice(11, 16);
}

function timeline(t: PerformanceTimeline): string {
  if (t.buckets.length === 0) return '<p>No predictions in the window.</p>';
  const labels = t.buckets.map((b) => bucketLabel(b.start, t.bucket));
  const series: LineSeries[] = [
    { name: 'realized precision', color: '#2f6fdb', dashed: false, values: t.buckets.map((b) => b.realized.precision) },
    { name: 'estimated precision', color: '#2f6fdb', dashed: true, values: t.buckets.map((b) => b.estimated.precision) },
    { name: 'realized recall', color: '#c2410c', dashed: false, values: t.buckets.map((b) => b.realized.recall) },
    { name: 'estimated recall', color: '#c2410c', dashed: true, values: t.buckets.map((b) => b.estimated.recall) },
  ];
  const coverage: LineSeries[] = [{ name: 'label coverage', color: '#2e7d32', dashed: false, values: t.buckets.map((b) => b.label_coverage) }];
  const rows = t.buckets
    .map(
      (b) =>
        `<tr><td>${escapeHtml(b.start)}</td><td class="num">${formatCount(b.predictions)}</td><td class="num">${formatCount(b.labeled)}</td>` +
        `<td class="num">${formatPercent(b.label_coverage)}</td><td class="num">${formatRatio(b.realized.precision)}</td>` +
        `<td class="num">${formatRatio(b.estimated.precision)}</td><td class="num">${formatRatio(b.realized.recall)}</td>` +
        `<td class="num">${formatRatio(b.estimated.recall)}</td><td class="num">${formatSigned(b.gap.precision)}</td>` +
        `<td class="num">${formatSigned(b.gap.recall)}</td></tr>`,
    )
    .join('');
  return `${svgLineChart(labels, series)}
<h3>Label coverage per bucket</h3>${svgLineChart(labels, coverage)}
<details><summary>Figures per bucket (${t.buckets.length})</summary>
<table class="figures"><thead><tr><th>bucket start (UTC)</th><th>predictions</th><th>labeled</th><th>coverage</th><th>realized precision</th>
<th>estimated precision</th><th>realized recall</th><th>estimated recall</th><th>gap precision</th><th>gap recall</th></tr></thead>
<tbody>${rows}</tbody></table></details>`;
}

/** The figures as JSON inside the page, for anyone who wants the numbers back; `<` escaped so no text can end the script element. */
function embeddedData(input: PerformanceReportInput): string {
  const json = JSON.stringify({ performance: input.performance, timeline: input.timeline, calibration: input.calibration }).replace(/</g, '\\u003c');
  return `<script type="application/json" id="vigil-performance-data">${json}</script>`;
}

/**
 * A self-contained HTML model-performance report over the figures
 * PerformanceService computed (nothing is recomputed here): inline CSS and
 * SVG, no script that runs and no external file, so it opens in any browser
 * from disk or as an e-mail attachment, like the drift report.
 */
export function renderPerformanceReport(input: PerformanceReportInput): string {
  const p = input.performance;
  const at =
    p.threshold === null
      ? "at the model's threshold (each row's stored prediction)"
      : `at threshold ${p.threshold.toFixed(4)} (asked ${p.threshold_requested === null ? '—' : String(p.threshold_requested)}; the nearest bin edge)`;
  const version = p.model_version === null ? 'all model versions' : escapeHtml(p.model_version);
  const reference = input.calibration;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil performance report — ${escapeHtml(p.window)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}h3{font-size:1rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{padding:.2rem .6rem;border-bottom:1px solid #e4e7eb;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.err{color:#7b8794}small{color:#52606d;font-weight:normal}
.row{display:flex;gap:2rem;align-items:flex-start;flex-wrap:wrap}.note{color:#52606d;font-size:.85rem;max-width:800px}
.kpi{display:flex;gap:2.5rem;margin:1rem 0}.kpi div{font-size:.85rem;color:#52606d}.kpi b{display:block;font-size:1.3rem;color:#1f2933}
</style></head><body>
<h1>Model performance: last ${escapeHtml(p.window)}, ${version}</h1>
<p>Predictions made in the window, with their labels whenever those arrived; counts ${escapeHtml(at)}.</p>
<div class="kpi">
<div>predictions<b data-metric="predictions" data-value="${p.predictions}">${formatCount(p.predictions)}</b></div>
<div>labeled<b data-metric="labeled" data-value="${p.labeled}">${formatCount(p.labeled)}</b></div>
<div>label coverage<b data-metric="label_coverage" data-value="${dataValue(p.label_coverage)}">${formatPercent(p.label_coverage)}</b></div>
<div>label delay p50<b data-metric="label_delay_p50" data-value="${dataValue(p.label_delay_seconds.p50)}">${formatSeconds(p.label_delay_seconds.p50)}</b></div>
<div>label delay p95<b data-metric="label_delay_p95" data-value="${dataValue(p.label_delay_seconds.p95)}">${formatSeconds(p.label_delay_seconds.p95)}</b></div>
</div>
<h2>Realized and estimated quality</h2>
${headline(p)}
<p class="note"><b>Realized</b>: over the labeled predictions. <b>Estimated</b>: NannyML's confidence-based performance estimation (CBPE) over the
predictions still without a label, from their probabilities after isotonic calibration on ${formatCount(reference.rows)} labeled reference rows
(${escapeHtml(reference.path)}${reference.model_version === null ? '' : `, ${escapeHtml(reference.model_version)}`}); the sampling error is the standard
deviation of the realized figure around the estimate from the luck of the labels alone. <b>Gap</b>: realized minus the CBPE estimate of the same
labeled rows. Realized and estimated cover different rows (older predictions have more labels), so only the gap says whether the calibration still
holds: near 0 while it does, away from 0 under concept drift (labels following another rule than the one the model learned).
A dash is a metric undefined for the data (no labeled rows, no positives).</p>
<h2>Confusion matrix</h2>
${counts(p)}
<h2>Calibration (labeled rows)</h2>
${calibration(p)}
<h2>Over time (${escapeHtml(input.timeline.bucket)} buckets)</h2>
${timeline(input.timeline)}
${embeddedData(input)}
<p style="color:#7b8794;font-size:.8rem">Generated by Vigil at ${escapeHtml(input.generatedAt.toISOString())}.</p>
</body></html>
`;
}
