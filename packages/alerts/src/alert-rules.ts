import { readFileSync } from 'node:fs';
import { VigilError } from '@vigil/errors';

/** Which side of the threshold breaches: `above` value > threshold, `below` value < threshold, `at_most` value <= threshold. */
export type AlertDirection = 'above' | 'below' | 'at_most';

/** What one kind of rule means; every rule of the kind is evaluated by it (conditions.ts, nextState). */
export interface AlertKindDescription {
  /** What the value means, and so what the threshold is in. */
  readonly unit: string;
  /** The one place a kind's direction is said. */
  readonly fires: AlertDirection;
  /**
   * What a round without a figure (value null: too little data) does to a firing alert.
   * `resolves`: the pipeline kinds, as they always have (too few requests is no breach).
   * `holds`: the quality kinds: no labels (yet) is not news that the model got better.
   * Either way no figure never fires, and a pending alert drops back to inactive quietly.
   */
  readonly noData: 'resolves' | 'holds';
  /** Reads the quality rollups or the label tables (SQLite only for now: no verdict with MONITORING_STORE=postgres). */
  readonly readsQuality: boolean;
  /** Reads `min_labeled`: the figure is over labeled rows. A rule of another kind that sets it is refused (it would be ignored). */
  readonly minLabeled: boolean;
  /** Ratios cannot exceed 1: a larger threshold is a typo (a percentage), refused. */
  readonly maxThreshold?: number;
}

const pipeline = (unit: string, fires: AlertDirection = 'above'): AlertKindDescription => ({
  unit,
  fires,
  noData: 'resolves',
  readsQuality: false,
  minLabeled: false,
});
const quality = (unit: string, fires: AlertDirection, minLabeled: boolean, maxThreshold?: number): AlertKindDescription => ({
  unit,
  fires,
  noData: 'holds',
  readsQuality: true,
  minLabeled,
  ...(maxThreshold === undefined ? {} : { maxThreshold }),
});

/** Every kind, what its value is in, and which way it fires. Each kind computes one number per evaluation (see conditions.ts). */
export const ALERT_KIND_DESCRIPTIONS = {
  latency_p95: pipeline('ms'),
  latency_p99: pipeline('ms'),
  error_rate: pipeline('share of requests answered 5xx'),
  fraud_rate_departure: pipeline('absolute difference of fraud rates'),
  feature_drift: pipeline('features drifting'),
  dataset_drift: pipeline('share of features drifting'),
  queue_backlog: pipeline('jobs waiting'),
  audit_lag: pipeline('seconds'),
  dead_letters: pipeline('dead-letter entries'),
  no_predictions: pipeline('predictions in the window', 'at_most'),
  records_missing: pipeline('records missing'),
  realized_precision: quality('realized precision of the labeled predictions', 'below', true, 1),
  realized_recall: quality('realized recall of the labeled predictions', 'below', true, 1),
  realized_roc_auc: quality('realized ROC AUC of the labeled predictions', 'below', true, 1),
  estimated_precision: quality('CBPE-estimated precision of the unlabeled predictions', 'below', false, 1),
  estimated_recall: quality('CBPE-estimated recall of the unlabeled predictions', 'below', false, 1),
  quality_gap: quality('absolute difference of realized and estimated precision on the labeled predictions', 'above', true, 1),
  label_coverage: quality('share of the predictions labeled', 'below', false, 1),
  labels_stopped: quality('seconds since the newest label arrived', 'above', false),
} as const satisfies Record<string, AlertKindDescription>;

/** What a rule watches. */
export type AlertKind = keyof typeof ALERT_KIND_DESCRIPTIONS;

export const ALERT_KINDS: readonly AlertKind[] = Object.keys(ALERT_KIND_DESCRIPTIONS) as AlertKind[];

/** The kind's description, typed as the interface (the table's literal types are narrower). */
export const describeKind = (kind: AlertKind): AlertKindDescription => ALERT_KIND_DESCRIPTIONS[kind];

/**
 * Labeled rows a realized figure (or the realized-vs-estimated gap) needs before it gives a verdict.
 * 100 keeps a single day's trickle of chargebacks from deciding; with a few % fraud it is still only a
 * handful of positives, so recall rules should ask for more (deploy/alerts.json asks 200).
 */
export const DEFAULT_MIN_LABELED = 100;

export interface AlertRule {
  readonly name: string;
  readonly kind: AlertKind;
  /** Fires when the value is past it, on the side ALERT_KIND_DESCRIPTIONS gives the kind. */
  readonly threshold: number;
  /**
   * The window the value is computed over (ignored by queue_backlog, audit_lag, dead_letters, records_missing).
   * Quality kinds: the predictions made in it, with their labels whenever those arrived; labels_stopped: where
   * it looks for predictions still arriving.
   */
  readonly window: string;
  readonly windowMs: number;
  /** How long the condition must hold before the alert fires. */
  readonly for: string;
  readonly forMs: number;
  readonly severity: 'info' | 'warning' | 'critical';
  /**
   * Windows with fewer predictions give no verdict (a p99 over 3 requests means little). Estimated kinds:
   * fewer unlabeled (estimated) rows; label_coverage and labels_stopped: fewer predictions in the window.
   * @defaultValue 1
   */
  readonly min_count: number;
  /** Realized kinds and quality_gap: fewer labeled rows in the window give no verdict. @defaultValue {@link DEFAULT_MIN_LABELED} */
  readonly min_labeled: number;
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
    const kind = ALERT_KINDS.includes(r.kind as AlertKind) ? describeKind(r.kind as AlertKind) : undefined;
    if (typeof r.threshold !== 'number' || !Number.isFinite(r.threshold) || r.threshold < 0) problems.push(`${where}.threshold: expected a number >= 0`);
    else if (kind?.maxThreshold !== undefined && r.threshold > kind.maxThreshold) {
      problems.push(`${where}.threshold: expected a number from 0 to ${kind.maxThreshold} for ${r.kind as string} (a share, not a percentage)`);
    }
    const windowMs = parseDuration(r.window ?? '5m');
    if (windowMs === undefined || windowMs < 60_000) problems.push(`${where}.window: expected a duration of at least 1m, like "5m"`);
    const forMs = parseDuration(r.for ?? '0s');
    if (forMs === undefined) problems.push(`${where}.for: expected a duration like "0s" or "5m"`);
    const severity = r.severity ?? 'warning';
    if (!['info', 'warning', 'critical'].includes(severity as string)) problems.push(`${where}.severity: expected info, warning or critical`);
    const minCount = r.min_count ?? 1;
    if (typeof minCount !== 'number' || !Number.isInteger(minCount) || minCount < 0) problems.push(`${where}.min_count: expected a whole number >= 0`);
    const minLabeled = r.min_labeled ?? DEFAULT_MIN_LABELED;
    if (r.min_labeled !== undefined && kind !== undefined && !kind.minLabeled) {
      problems.push(`${where}.min_labeled: only ${ALERT_KINDS.filter((k) => describeKind(k).minLabeled).join(', ')} rules read it`);
    } else if (typeof minLabeled !== 'number' || !Number.isInteger(minLabeled) || minLabeled < 1) {
      problems.push(`${where}.min_labeled: expected a whole number >= 1`);
    }
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
      min_labeled: minLabeled as number,
      description: typeof r.description === 'string' ? r.description : '',
    });
  });
  if (problems.length > 0) throw new VigilError<AlertErrorCode>('ALERT_RULES_INVALID', `Invalid alert rules:\n  ${problems.join('\n  ')}`, { problems });
  return Object.freeze({ evaluation_interval_ms: interval ?? 15_000, rules: Object.freeze(rules) });
}
