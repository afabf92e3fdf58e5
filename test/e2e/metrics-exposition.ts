// Helpers shared by the metrics and dashboard tests: reading the Prometheus
// text format, running promtool, and sending traffic to a running API.
import { spawnSync } from 'node:child_process';
import { request } from '../support/http';
import { referenceInstances, waitFor } from '../support/test-env';
import { findTool } from '../support/tools';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  /** Family name → type, from the # TYPE lines. */
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) types.set(type[1] as string, type[2] as string);
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL))
      labels[name as string] = (value as string).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return { types, samples };
}

/** Every name a PromQL query may use for what this output exports (histograms: _bucket, _sum, _count). */
export function exportedNames(exposition: Exposition): Set<string> {
  const names = new Set(exposition.samples.map((s) => s.name));
  for (const [family, type] of exposition.types) {
    names.add(family);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(family + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(family + suffix);
  }
  return names;
}

export function samplesOf(exposition: Exposition, name: string): Sample[] {
  return exposition.samples.filter((s) => s.name === name);
}

/** The Debian prometheus package's promtool, if this machine has it. */
/** How to get promtool, for requireTool / optionalTool (test/support/tools.ts). */
export const PROMTOOL_HINT = 'Debian: apt-get install -y prometheus';

export function promtool(): string | undefined {
  return findTool('promtool');
}

export function runPromtool(args: readonly string[], input?: string): { status: number | null; output: string } {
  const path = promtool();
  if (path === undefined) throw new Error('promtool is not installed');
  const result = spawnSync(path, args, { input, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** Scores `count` rows of the training reference through POST /predict, in batches; returns the prediction ids. */
export async function sendPredictions(port: number, count: number, offset = 0, headers: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const response = await request<{ predictions: { prediction_id: string }[] }>(
      port,
      'POST',
      '/predict',
      { instances: referenceInstances(Math.min(50, count - i), offset + i) },
      headers,
    );
    if (response.status !== 200) throw new Error(`POST /predict answered ${response.status}`);
    ids.push(...response.body.predictions.map((p) => p.prediction_id));
  }
  return ids;
}

/** Waits until the monitoring store holds `total` predictions in the last hour. */
export async function waitForStored(port: number, total: number, headers: Record<string, string> = {}): Promise<void> {
  await waitFor(
    `${total} stored predictions`,
    async () =>
      (await request<{ total: number }>(port, 'GET', '/monitoring/distribution?window=1h', undefined, headers)).body.total >= total ? true : undefined,
    30_000,
  );
}

export async function metricsText(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}
