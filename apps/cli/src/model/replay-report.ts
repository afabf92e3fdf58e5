import type { ModelSide } from '@vigil/monitoring';
import { escapeHtml, formatCount, formatPercent, formatRatio, formatSigned } from '../performance/html-text';
import type { ReplayResult } from './replay';

const STYLE = `body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem}
td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}h1{font-size:1.4rem}
.bar{fill:#4a78b5}.axis{stroke:#999}`;

/** Bars of the probability-difference histogram (shadow − champion over [-1, 1]). */
function histogramSvg(bins: readonly { lower: number; upper: number; count: number }[]): string {
  const width = 600;
  const height = 160;
  const max = Math.max(1, ...bins.map((bin) => bin.count));
  const step = width / bins.length;
  const bars = bins
    .map((bin, i) => {
      const h = (bin.count / max) * (height - 20);
      const x = (i * step + 1).toFixed(1);
      const y = (height - 20 - h).toFixed(1);
      const title = `<title>${bin.lower.toFixed(1)} to ${bin.upper.toFixed(1)}: ${bin.count}</title>`;
      return `<rect class="bar" x="${x}" y="${y}" width="${(step - 2).toFixed(1)}" height="${h.toFixed(1)}">${title}</rect>`;
    })
    .join('');
  const axis =
    `<line class="axis" x1="0" x2="${width}" y1="${height - 20}" y2="${height - 20}"/>` +
    `<text x="0" y="${height - 4}">−1</text><text x="${width / 2 - 4}" y="${height - 4}">0</text><text x="${width - 12}" y="${height - 4}">+1</text>`;
  return `<svg width="${width}" height="${height}" role="img" aria-label="histogram of probability differences">${bars}${axis}</svg>`;
}

function sideRows(champion: ModelSide, candidate: ModelSide): string {
  const row = (label: string, pick: (side: ModelSide) => string) => `<tr><td>${label}</td><td>${pick(champion)}</td><td>${pick(candidate)}</td></tr>`;
  return [
    row('model_version', (side) => escapeHtml(side.model_version)),
    row('fraud rate', (side) => formatPercent(side.fraud_rate)),
    row('mean probability', (side) => formatRatio(side.mean_probability)),
    row('output drift KS (p-value)', (side) =>
      side.output_drift ? `${formatRatio(side.output_drift.ks_statistic)} (${side.output_drift.ks_p_value.toExponential(2)})` : '—',
    ),
    row('output drift PSI', (side) => (side.output_drift ? formatRatio(side.output_drift.psi) : '—')),
    row('realized precision', (side) => formatRatio(side.realized?.precision ?? null)),
    row('realized recall', (side) => formatRatio(side.realized?.recall ?? null)),
    row('realized F1', (side) => formatRatio(side.realized?.f1 ?? null)),
    row('realized ROC AUC', (side) => formatRatio(side.realized?.roc_auc ?? null)),
    row('estimated precision (CBPE)', (side) => formatRatio(side.estimated?.precision ?? null)),
    row('estimated recall (CBPE)', (side) => formatRatio(side.estimated?.recall ?? null)),
  ].join('');
}

/** One self-contained HTML page (no scripts, no external assets): the candidate against each champion version that served the window. */
export function renderReplayReport(result: ReplayResult, window: string, generatedAt: string): string {
  const sections = result.comparisons.map((comparison) => {
    const difference = comparison.probability_difference;
    const header = ['pairs', 'labeled', 'agreement', 'mean difference', 'mean |difference|', 'max |difference|', 'p05', 'p50', 'p95'];
    const cells = [
      formatCount(comparison.paired),
      formatCount(comparison.labeled),
      formatPercent(comparison.agreement_rate),
      formatSigned(difference.mean),
      formatRatio(difference.mean_absolute),
      formatRatio(difference.max_absolute),
      formatSigned(difference.p05),
      formatSigned(difference.p50),
      formatSigned(difference.p95),
    ];
    return [
      `<h2>${escapeHtml(comparison.champion_version)} (champion) vs ${escapeHtml(comparison.shadow_version)} (candidate)</h2>`,
      `<table><tr>${header.map((name) => `<th>${name}</th>`).join('')}</tr><tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr></table>`,
      `<p>Candidate − champion probability, per request:</p>${histogramSvg(difference.histogram)}`,
      `<table><tr><th></th><th>champion</th><th>candidate</th></tr>${sideRows(comparison.champion, comparison.shadow)}</table>`,
    ].join('\n');
  });
  const title = escapeHtml(result.candidate_version);
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vigil model replay: ${title}</title><style>${STYLE}</style></head><body>`,
    `<h1>Model replay: ${title} over the last ${escapeHtml(window)}</h1>`,
    `<p>${formatCount(result.scored)} stored predictions rescored, ${formatCount(result.refused)} refused by the candidate's spec. ` +
      `Generated ${escapeHtml(generatedAt)}. Counts, rates and means are exact over every pair; quantiles and drift come from uniform samples of 10,000.</p>`,
    sections.length === 0 ? '<p>No stored predictions in the window.</p>' : sections.join('\n'),
    '</body></html>',
    '',
  ].join('\n');
}
