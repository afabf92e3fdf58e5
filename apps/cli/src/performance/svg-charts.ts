/**
 * The report's two charts as inline SVG (no script, no library): it must open
 * from disk or an e-mail attachment, as the drift report does. Both plot
 * figures in [0, 1], so one y scale serves.
 */
import { escapeHtml } from './html-text';

export interface LineSeries {
  readonly name: string;
  readonly color: string;
  /** Estimated figures are dashed, realized ones solid. */
  readonly dashed: boolean;
  /** One value per x label; null where the figure is undefined (a gap in the line). */
  readonly values: readonly (number | null)[];
}

export interface ReliabilityPoint {
  readonly bin_lower: number;
  readonly bin_upper: number;
  readonly count: number;
  readonly mean_probability: number | null;
  readonly observed_rate: number | null;
}

const WIDTH = 720;
const HEIGHT = 260;
// The right margin leaves room for the last x label, centred on the last point.
const MARGIN = { left: 44, right: 40, top: 14, bottom: 36 };
const fixed = (n: number) => n.toFixed(1);

function yAxis(plotHeight: number, x0: number, x1: number): string {
  return [0, 0.25, 0.5, 0.75, 1]
    .map((tick) => {
      const y = MARGIN.top + (1 - tick) * plotHeight;
      return (
        `<line x1="${x0}" x2="${fixed(x1)}" y1="${fixed(y)}" y2="${fixed(y)}" stroke="#e4e7eb"/>` +
        `<text x="${x0 - 6}" y="${fixed(y + 3)}" font-size="10" text-anchor="end">${tick.toFixed(2)}</text>`
      );
    })
    .join('');
}

/** Lines of figures over time buckets; a point alone (nulls either side) is drawn as a dot. */
export function svgLineChart(labels: readonly string[], series: readonly LineSeries[]): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const step = labels.length > 1 ? plotWidth / (labels.length - 1) : 0;
  const xOf = (i: number) => MARGIN.left + (labels.length > 1 ? i * step : plotWidth / 2);
  const yOf = (v: number) => MARGIN.top + (1 - Math.min(1, Math.max(0, v))) * plotHeight;
  // At most about 8 x labels, whatever the number of buckets.
  const every = Math.max(1, Math.ceil(labels.length / 8));
  const xLabels = labels
    .map((label, i) =>
      i % every === 0 ? `<text x="${fixed(xOf(i))}" y="${HEIGHT - MARGIN.bottom + 14}" font-size="10" text-anchor="middle">${escapeHtml(label)}</text>` : '',
    )
    .join('');
  const lines = series
    .map((s) => {
      const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
      const runs: string[][] = [[]];
      s.values.forEach((v, i) => {
        if (v === null) runs.push([]);
        else runs[runs.length - 1]!.push(`${fixed(xOf(i))},${fixed(yOf(v))}`);
      });
      const paths = runs
        .filter((run) => run.length > 0)
        .map((run) =>
          run.length === 1
            ? `<circle cx="${run[0]!.split(',')[0]}" cy="${run[0]!.split(',')[1]}" r="3" fill="${s.color}"/>`
            : `<polyline points="${run.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
        )
        .join('');
      const dots = s.values
        .map((v, i) =>
          v === null
            ? ''
            : `<circle cx="${fixed(xOf(i))}" cy="${fixed(yOf(v))}" r="6" fill="transparent">` +
              `<title>${escapeHtml(`${s.name} ${labels[i] ?? ''}: ${v.toFixed(4)}`)}</title></circle>`,
        )
        .join('');
      return `<g>${paths}${dots}</g>`;
    })
    .join('');
  const legend = series
    .map((s, i) => {
      const x = MARGIN.left + i * 170;
      const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
      return (
        `<line x1="${x}" x2="${x + 24}" y1="${HEIGHT - 8}" y2="${HEIGHT - 8}" stroke="${s.color}" stroke-width="2"${dash}/>` +
        `<text x="${x + 30}" y="${HEIGHT - 4}" font-size="11">${escapeHtml(s.name)}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img">` +
    `${yAxis(plotHeight, MARGIN.left, WIDTH - MARGIN.right)}${xLabels}${lines}${legend}</svg>`
  );
}

/**
 * Observed fraud rate against mean predicted probability per calibration bin,
 * beside the diagonal a calibrated model follows; a dot's area is its bin's
 * share of the labeled rows.
 */
export function svgReliabilityChart(bins: readonly ReliabilityPoint[]): string {
  const size = 300;
  const plot = size - MARGIN.left - MARGIN.right;
  const height = plot + MARGIN.top + MARGIN.bottom;
  const xOf = (v: number) => MARGIN.left + v * plot;
  const yOf = (v: number) => MARGIN.top + (1 - v) * plot;
  const total = bins.reduce((n, b) => n + b.count, 0) || 1;
  const filled = bins.filter(
    (b): b is ReliabilityPoint & { mean_probability: number; observed_rate: number } => b.mean_probability !== null && b.observed_rate !== null,
  );
  const path = filled.map((b) => `${fixed(xOf(b.mean_probability))},${fixed(yOf(b.observed_rate))}`).join(' ');
  const dots = filled
    .map((b) => {
      const r = 3 + 9 * Math.sqrt(b.count / total);
      const bin = `[${b.bin_lower.toFixed(1)}, ${b.bin_upper.toFixed(1)})`;
      const tip = `${bin}: ${b.count} labeled, mean probability ${b.mean_probability.toFixed(4)}, observed rate ${b.observed_rate.toFixed(4)}`;
      return (
        `<circle cx="${fixed(xOf(b.mean_probability))}" cy="${fixed(yOf(b.observed_rate))}" r="${fixed(r)}" fill="#2f6fdb" fill-opacity="0.55">` +
        `<title>${escapeHtml(tip)}</title></circle>`
      );
    })
    .join('');
  const xTicks = [0, 0.5, 1]
    .map((t) => `<text x="${fixed(xOf(t))}" y="${MARGIN.top + plot + 14}" font-size="10" text-anchor="middle">${t.toFixed(1)}</text>`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${height}" viewBox="0 0 ${size} ${height}" role="img">` +
    yAxis(plot, MARGIN.left, MARGIN.left + plot) +
    xTicks +
    `<line x1="${xOf(0)}" y1="${yOf(0)}" x2="${xOf(1)}" y2="${yOf(1)}" stroke="#9aa5b1" stroke-dasharray="4 4"/>` +
    (filled.length > 1 ? `<polyline points="${path}" fill="none" stroke="#2f6fdb" stroke-width="1.5"/>` : '') +
    dots +
    `<text x="${fixed(MARGIN.left + plot / 2)}" y="${height - 6}" font-size="11" text-anchor="middle">mean predicted probability</text>` +
    `<text transform="translate(10 ${fixed(MARGIN.top + plot / 2)}) rotate(-90)" font-size="11" text-anchor="middle">observed fraud rate</text>` +
    `</svg>`
  );
}
