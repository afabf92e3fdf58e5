import { readFileSync } from 'node:fs';
import { VigilError } from '@vigil/errors';

/** What a rule watches. Each kind computes one number per evaluation (see conditions.ts). */
export type AlertKind =
  | 'latency_p95'
  | 'latency_p99'
  | 'error_rate'
  | 'fraud_rate_departure'
  | 'feature_drift'
  | 'dataset_drift'
  | 'queue_backlog'
  | 'audit_lag'
  | 'dead_letters'
  | 'no_predictions'
  | 'records_missing';

export const ALERT_KINDS: readonly AlertKind[] = [
  'latency_p95',
  'latency_p99',
  'error_rate',
  'fraud_rate_departure',
  'feature_drift',
  'dataset_drift',
  'queue_backlog',
  'audit_lag',
  'dead_letters',
  'no_predictions',
  'records_missing',
];

/** What the value of each kind means, and so what its threshold is in. */
export const KIND_UNITS: Readonly<Record<AlertKind, string>> = {
  latency_p95: 'ms',
  latency_p99: 'ms',
  error_rate: 'share of requests answered 5xx',
  fraud_rate_departure: 'absolute difference of fraud rates',
  feature_drift: 'features drifting',
  dataset_drift: 'share of features drifting',
  queue_backlog: 'jobs waiting',
  audit_lag: 'seconds',
  dead_letters: 'dead-letter entries',
  no_predictions: 'predictions in the window',
  records_missing: 'records missing',
};

export interface AlertRule {
  readonly name: string;
  readonly kind: AlertKind;
  /** Fires when the value is above it (below it for no_predictions: "at most"). */
  readonly threshold: number;
  /** The window the value is computed over (ignored by queue_backlog, audit_lag, dead_letters, records_missing). */
  readonly window: string;
  readonly windowMs: number;
  /** How long the condition must hold before the alert fires. */
  readonly for: string;
  readonly forMs: number;
  readonly severity: 'info' | 'warning' | 'critical';
  /** Windows with fewer predictions give no verdict (a p99 over 3 requests means little). */
  readonly min_count: number;
  readonly description: string;
}

export interface AlertRules {
  readonly evaluation_interval_ms: number;
  readonly rules: readonly AlertRule[];
}

export type AlertErrorCode = 'ALERT_RULES_INVALID';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: unknown): number | undefined {
  const match = typeof text === 'string' ? /^(\d{1,6})(s|m|h|d)$/.exec(text) : null;
  return match === null ? undefined : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Reads and checks the rules file; every problem names the rule and field. */
export function loadAlertRules(path: string): AlertRules {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new VigilError<AlertErrorCode>('ALERT_RULES_INVALID', `Cannot read alert rules ${path}: ${(error as Error).message}`);
  }
  return checkAlertRules(raw, path);
}

export function checkAlertRules(raw: unknown, source = 'alert rules'): AlertRules {
  const problems: string[] = [];
  const root = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null) problems.push(`${source}: expected an object`);
  const interval = root.evaluation_interval === undefined ? 15_000 : parseDuration(root.evaluation_interval);
  if (interval === undefined || interval < 1000) problems.push(`${source}.evaluation_interval: expected a duration of at least 1s, like "15s"`);
  if (!Array.isArray(root.rules)) problems.push(`${source}.rules: expected an array`);
  const names = new Set<string>();
  const rules: AlertRule[] = [];
  (Array.isArray(root.rules) ? root.rules : []).forEach((value: unknown, index: number) => {
    const r = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const where = `${source}.rules[${index}]${typeof r.name === 'string' ? ` (${r.name})` : ''}`;
    if (typeof r.name !== 'string' || !/^[a-z0-9_]{1,64}$/.test(r.name)) problems.push(`${where}.name: expected 1-64 of a-z 0-9 _`);
    else if (names.has(r.name)) problems.push(`${where}.name: used twice`);
    else names.add(r.name);
    if (!ALERT_KINDS.includes(r.kind as AlertKind)) problems.push(`${where}.kind: expected one of ${ALERT_KINDS.join(', ')}`);
    if (typeof r.threshold !== 'number' || !Number.isFinite(r.threshold) || r.threshold < 0) problems.push(`${where}.threshold: expected a number >= 0`);
    const windowMs = parseDuration(r.window ?? '5m');
    if (windowMs === undefined || windowMs < 60_000) problems.push(`${where}.window: expected a duration of at least 1m, like "5m"`);
    const forMs = parseDuration(r.for ?? '0s');
    if (forMs === undefined) problems.push(`${where}.for: expected a duration like "0s" or "5m"`);
    const severity = r.severity ?? 'warning';
    if (!['info', 'warning', 'critical'].includes(severity as string)) problems.push(`${where}.severity: expected info, warning or critical`);
    const minCount = r.min_count ?? 1;
    if (typeof minCount !== 'number' || !Number.isInteger(minCount) || minCount < 0) problems.push(`${where}.min_count: expected a whole number >= 0`);
    rules.push({
      name: r.name as string,
      kind: r.kind as AlertKind,
      threshold: r.threshold as number,
      window: (r.window as string | undefined) ?? '5m',
      windowMs: windowMs ?? 0,
      for: (r.for as string | undefined) ?? '0s',
      forMs: forMs ?? 0,
      severity: severity as AlertRule['severity'],
      min_count: minCount as number,
      description: typeof r.description === 'string' ? r.description : '',
    });
  });
  if (problems.length > 0) throw new VigilError<AlertErrorCode>('ALERT_RULES_INVALID', `Invalid alert rules:\n  ${problems.join('\n  ')}`, { problems });
  return Object.freeze({ evaluation_interval_ms: interval ?? 15_000, rules: Object.freeze(rules) });
}
