import type { FeatureSpec, ModelSpec } from '@vigil/model';
import type { SampledPrediction } from '@vigil/stores';
import type { DriftReport, FeatureDrift } from './drift-report';
import type { Reference } from './reference';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const format = (value: number | null) => (value === null ? '—' : Math.abs(value) >= 1e-3 || value === 0 ? value.toFixed(4) : value.toExponential(2));

interface Histogram {
  readonly labels: string[];
  readonly reference: number[];
  readonly current: number[];
}

/** Shares per bin, so samples of different sizes draw on one scale. */
function shares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  return counts.map((c) => c / total);
}

function numericHistogram(reference: number[], current: number[], bins = 20): Histogram {
  const all = [...reference, ...current].sort((a, b) => a - b);
  // Cut at the 0.5th and 99.5th percentiles so one outlier does not squash the plot; the ends collect the tails.
  const low = all[Math.floor(all.length * 0.005)] ?? 0;
  const high = all[Math.min(all.length - 1, Math.floor(all.length * 0.995))] ?? 1;
  const width = (high - low) / bins || 1;
  const bin = (v: number) => Math.min(bins - 1, Math.max(0, Math.floor((v - low) / width)));
  const count = (values: number[]) => {
    const result = new Array<number>(bins).fill(0);
    for (const v of values) result[bin(v)]! += 1;
    return result;
  };
  const labels = Array.from({ length: bins }, (_, i) => (low + i * width).toPrecision(3));
  return { labels, reference: shares(count(reference)), current: shares(count(current)) };
}

function categoricalHistogram(categories: string[], reference: unknown[], current: unknown[]): Histogram {
  const count = (values: unknown[]) => categories.map((c) => values.filter((v) => String(v) === c).length);
  return { labels: categories, reference: shares(count(reference)), current: shares(count(current)) };
}

/** Bars of reference (grey) and current (blue) shares side by side, as inline SVG. */
function svgHistogram(h: Histogram): string {
  const width = 520;
  const height = 160;
  const max = Math.max(...h.reference, ...h.current, 1e-9);
  const slot = width / h.labels.length;
  const bar = (slot - 4) / 2;
  const bars = h.labels
    .map((label, i) => {
      const r = (h.reference[i]! / max) * (height - 20);
      const c = (h.current[i]! / max) * (height - 20);
      const x = i * slot + 2;
      return (
        `<rect x="${x.toFixed(1)}" y="${(height - 20 - r).toFixed(1)}" width="${bar.toFixed(1)}" height="${r.toFixed(1)}" fill="#9aa5b1">` +
        `<title>${escape(label)} reference ${(h.reference[i]! * 100).toFixed(1)}%</title></rect>` +
        `<rect x="${(x + bar).toFixed(1)}" y="${(height - 20 - c).toFixed(1)}" width="${bar.toFixed(1)}" height="${c.toFixed(1)}" fill="#2f6fdb">` +
        `<title>${escape(label)} current ${(h.current[i]! * 100).toFixed(1)}%</title></rect>` +
        (h.labels.length <= 12 || i % 4 === 0
          ? `<text x="${(x + bar).toFixed(1)}" y="${height - 5}" font-size="9" text-anchor="middle">${escape(label.slice(0, 12))}</text>`
          : '')
      );
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img">${bars}</svg>`;
}

function featureSection(result: FeatureDrift, histogram: Histogram | undefined): string {
  const measures = Object.entries(result.measures)
    .map(([name, value]) => `<tr><td>${escape(name)}</td><td>${format(value)}</td></tr>`)
    .join('');
  const verdict = result.skipped
    ? `<span class="skip">no verdict: ${escape(result.skipped)}</span>`
    : result.drift
      ? '<span class="drift">drift</span>'
      : '<span class="ok">no drift</span>';
  const pValue = result.p_value === null ? '' : `, p-value ${format(result.p_value)}`;
  return `<section><h2>${escape(result.feature)} ${verdict}</h2>
<p>Decided by <b>${escape(result.test)}</b>: statistic ${format(result.statistic)}${pValue}, threshold ${format(result.threshold)}.</p>
<div class="row">${histogram ? svgHistogram(histogram) : ''}<table>${measures}</table></div></section>`;
}

/**
 * A self-contained HTML drift report: no script, no external file, so it
 * opens in any browser straight from disk or as an e-mail attachment.
 */
export function renderDriftReport(report: DriftReport, spec: ModelSpec, reference: Reference, current: readonly SampledPrediction[]): string {
  const histogramFor = (feature: FeatureSpec): Histogram => {
    const ref = reference.rows.map((row) => row[feature.name]);
    const cur = current.map((row) => row.features[feature.name]);
    if (feature.type === 'number' || feature.type === 'integer') {
      return numericHistogram(
        ref.filter((v): v is number => typeof v === 'number'),
        cur.filter((v): v is number => typeof v === 'number'),
      );
    }
    return categoricalHistogram(feature.type === 'categorical' ? [...feature.categories] : ['false', 'true'], ref, cur);
  };
  const sections = report.features.map((f) => {
    const feature = spec.features.find((s) => s.name === f.feature);
    return featureSection(f, feature && f.skipped === undefined ? histogramFor(feature) : undefined);
  });
  const outputs = report.outputs.map((o) =>
    featureSection(
      o,
      o.feature === 'probability'
        ? numericHistogram(
            [...reference.probabilities],
            current.map((r) => r.probability),
          )
        : categoricalHistogram(
            ['0', '1'],
            reference.probabilities.map((p) => (p >= spec.threshold ? 1 : 0)),
            current.map((r) => r.prediction),
          ),
    ),
  );
  const summary = report.dataset;
  const sample = report.sample;
  const ordinal = sample.stride === 1 ? 'st' : 'th';
  const thresholdPercent = (summary.threshold * 100).toFixed(0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil drift report — ${escape(report.window)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.6rem}
.drift{color:#fff;background:#c81e1e;padding:.1rem .5rem;border-radius:.3rem;font-size:.85rem}
.ok{color:#fff;background:#2e7d32;padding:.1rem .5rem;border-radius:.3rem;font-size:.85rem}
.skip{color:#52606d;font-size:.85rem}
.row{display:flex;gap:2rem;align-items:flex-start}
table{border-collapse:collapse;font-size:.85rem}td{padding:.15rem .6rem;border-bottom:1px solid #e4e7eb}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem}
</style></head><body>
<h1>Drift report: last ${escape(report.window)}${report.model_version ? `, ${escape(report.model_version)}` : ''}</h1>
<p>Dataset drift: <b>${summary.drift ? 'yes' : 'no'}</b> — ${summary.drifted_features} of ${summary.features} features drifted (threshold ${thresholdPercent}%).
Compared ${sample.rows_compared} logged predictions (of ${sample.rows_in_window} in the window, every ${sample.stride}${ordinal} row)
with ${report.reference.rows} reference rows of ${escape(report.reference.model_version)}. Multiple-testing correction: ${escape(report.correction)}.</p>
<p class="legend"><span style="background:#9aa5b1"></span>reference <span style="background:#2f6fdb"></span>current (share of rows per bin)</p>
<h1>Features</h1>${sections.join('\n')}
<h1>Model outputs</h1>${outputs.join('\n')}
<p style="color:#7b8794;font-size:.8rem">Generated by Vigil at ${new Date().toISOString()}.</p>
</body></html>
`;
}
