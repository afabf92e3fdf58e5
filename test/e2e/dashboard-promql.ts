// Reading PromQL out of the Grafana dashboard and the Prometheus rule files,
// and the metric names out of PromQL, for the dashboard tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_PATH = 'deploy/grafana/dashboards/vigil.json';
export const PROMETHEUS_DIR = 'deploy/prometheus';

/** Series Prometheus makes itself, not the service. */
export const PROMETHEUS_BUILTINS = new Set([
  'up',
  'ALERTS',
  'ALERTS_FOR_STATE',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
]);

/** Words of PromQL that look like names but are not metrics. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'inf',
  'nan',
  'Inf',
  'NaN',
]);

export interface PanelQuery {
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

interface GrafanaPanel {
  title?: string;
  type?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: GrafanaPanel[];
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  panels: GrafanaPanel[];
  templating: { list: { name: string; type: string; query: unknown; definition?: string; datasource?: { uid?: string } }[] };
}

export function loadDashboard(): GrafanaDashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as GrafanaDashboard;
}

/** Every panel (rows' nested panels too) with its PromQL targets. */
export function dashboardQueries(dashboard: GrafanaDashboard): PanelQuery[] {
  const queries: PanelQuery[] = [];
  const visit = (panels: readonly GrafanaPanel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr === 'string') queries.push({ panel: panel.title ?? '(untitled)', refId: target.refId ?? '?', expr: target.expr });
      }
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  return queries;
}

export function dashboardPanels(dashboard: GrafanaDashboard): GrafanaPanel[] {
  const all: GrafanaPanel[] = [];
  const visit = (panels: readonly GrafanaPanel[]) => {
    for (const panel of panels) {
      all.push(panel);
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  return all;
}

/** The metrics a template variable's query reads: label_values(metric, label) and the like. */
export function variableMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*([^,)]+?)\s*(?:,\s*[A-Za-z_][A-Za-z0-9_]*\s*)?\)\s*$/.exec(query);
  if (labelValues !== null) return metricNamesIn(labelValues[1] as string);
  const wrapped = /^\s*(?:query_result|metrics)\((.*)\)\s*$/.exec(query);
  return metricNamesIn(wrapped === null ? query : (wrapped[1] as string));
}

/** Grafana's variables, replaced by what a query to Prometheus needs. */
export function withGrafanaVariables(expr: string, values: { rateInterval: string; range: string; modelVersion: string }): string {
  return expr
    .replaceAll('$__rate_interval', values.rateInterval)
    .replaceAll('${__rate_interval}', values.rateInterval)
    .replaceAll('$__interval', values.rateInterval)
    .replaceAll('$__range', values.range)
    .replaceAll('${model_version}', values.modelVersion)
    .replaceAll('$model_version', values.modelVersion);
}

/**
 * The metric names a PromQL expression reads. Strings, label matchers,
 * ranges, grouping clauses and Grafana variables are removed first; what is
 * left that is a name and not a function, an aggregation or a keyword is a
 * metric (or a recording rule's name).
 */
export function metricNamesIn(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, ' ')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  // `__name__` matchers would hide a name: none of ours use them, and the test refuses them.
  if (/__name__/.test(expr)) throw new Error(`a __name__ matcher hides the metric: ${expr}`);
  const names = new Set<string>();
  for (const match of text.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const after = text.slice((match.index ?? 0) + name.length);
    if (/^\s*\(/.test(after)) continue; // a function or an aggregation
    if (KEYWORDS.has(name)) continue;
    const before = text.slice(0, match.index ?? 0);
    if (/[0-9.]$/.test(before)) continue; // the exponent or unit of a number (1e3, 5m)
    names.add(name);
  }
  return [...names];
}

export interface RuleFile {
  readonly path: string;
  /** Every `expr:` value. */
  readonly exprs: readonly string[];
  /** Names defined by recording rules (`record:`), which other expressions may read. */
  readonly records: readonly string[];
  /** How many `expr` keys the file has, to check the parser found each. */
  readonly exprKeys: number;
}

const KEY_LINE = /^(\s*)(?:-\s+)?["']?(expr|record)["']?\s*:\s*(.*)$/;
const ANY_KEY = /^\s*(?:-\s+)?["']?[A-Za-z_][A-Za-z0-9_-]*["']?\s*:(?:\s|$)/;

/**
 * `expr:` and `record:` values of a Prometheus rule file written as simple
 * YAML (plain, quoted, or `|`/`>` block scalars, and plain scalars continued
 * on more-indented lines) or as JSON. Not a YAML parser: enough for rule files.
 */
export function parseRuleFile(path: string, text: string): RuleFile {
  const json = tryJson(text);
  if (json !== undefined) return { path, ...fromJson(json) };
  const lines = text.split('\n');
  const exprs: string[] = [];
  const records: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = KEY_LINE.exec(lines[i] as string);
    if (match === null) continue;
    const indent = (match[1] as string).length + ((lines[i] as string).trimStart().startsWith('-') ? 2 : 0);
    const key = match[2] as string;
    let raw = (match[3] as string).trim();
    let value: string;
    if (raw.startsWith('|') || raw.startsWith('>')) {
      const block: string[] = [];
      while (i + 1 < lines.length && ((lines[i + 1] as string).trim() === '' || leading(lines[i + 1] as string) > indent))
        block.push((lines[++i] as string).trim());
      value = block.join(raw.startsWith('|') ? '\n' : ' ').trim();
    } else if (raw.startsWith('"')) {
      raw = raw.replace(/,\s*$/, '');
      value = JSON.parse(raw.slice(0, closingQuote(raw) + 1)) as string;
    } else if (raw.startsWith("'")) {
      value = raw.slice(1, raw.lastIndexOf("'")).replaceAll("''", "'");
    } else {
      const parts = [stripComment(raw)];
      while (
        i + 1 < lines.length &&
        leading(lines[i + 1] as string) > indent &&
        !ANY_KEY.test(lines[i + 1] as string) &&
        (lines[i + 1] as string).trim() !== ''
      ) {
        parts.push(stripComment((lines[++i] as string).trim()));
      }
      value = parts.join(' ').trim();
    }
    if (key === 'expr') exprs.push(value);
    else records.push(value);
  }
  return { path, exprs, records, exprKeys: (text.match(/^\s*(?:-\s+)?["']?expr["']?\s*:/gm) ?? []).length };
}

/** Every *.rules.yml (or .yaml, .json) in deploy/prometheus. */
export function ruleFiles(): RuleFile[] {
  return readdirSync(PROMETHEUS_DIR)
    .filter((name) => /\.rules\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => parseRuleFile(join(PROMETHEUS_DIR, name), readFileSync(join(PROMETHEUS_DIR, name), 'utf8')));
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A rule file written as JSON (which is YAML too): every expr and record value in it. */
function fromJson(value: unknown): Omit<RuleFile, 'path'> {
  const exprs: string[] = [];
  const records: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'expr' && typeof child === 'string') exprs.push(child);
        else if (key === 'record' && typeof child === 'string') records.push(child);
        else visit(child);
      }
    }
  };
  visit(value);
  return { exprs, records, exprKeys: exprs.length };
}

function leading(line: string): number {
  return line.length - line.trimStart().length;
}

/** A `#` after whitespace starts a YAML comment in a plain scalar (PromQL has no `#`). */
function stripComment(value: string): string {
  return value.replace(/\s+#.*$/, '');
}

function closingQuote(raw: string): number {
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] === '\\') i++;
    else if (raw[i] === '"') return i;
  }
  throw new Error(`unterminated string: ${raw}`);
}
