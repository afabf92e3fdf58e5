/**
 * A ground-truth label for one prediction, as it travels from POST /feedback
 * (or `cli feedback import`) through the journal and the queue to the stores.
 * `labeled_at` is when the truth was decided (a chargeback's date), which
 * orders versions; `received_at` is when Vigil took it, which breaks ties.
 * Both are normalised ISO 8601 UTC (`toISOString()`), so text order is time order.
 */
export interface LabelRecord {
  readonly prediction_id: string;
  readonly label: 0 | 1;
  readonly labeled_at: string;
  readonly received_at: string;
}

/** At most this many labels in one POST /feedback (the README says so). */
export const MAX_FEEDBACK_LABELS = 1000;

/** What /predict issues is a UUID, but ids from elsewhere (a back-fill) are kept too: printable, no spaces, 1-128 characters. */
const PREDICTION_ID = /^[\x21-\x7e]{1,128}$/;

/** ISO 8601 date-time with seconds and a zone (Z or ±hh:mm); what Date.parse reads alone is looser than that. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** One thing wrong with one label, at its path in the request (`labels[3].label`) or the CSV column. */
export interface LabelProblem {
  readonly path: string;
  readonly problem: string;
}

export function isPredictionId(value: unknown): value is string {
  return typeof value === 'string' && PREDICTION_ID.test(value);
}

/** The ISO form of an ISO 8601 date-time, or undefined when it is not one (or not a real date: 2026-02-30). */
export function normaliseIsoDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) return undefined;
  const time = Date.parse(value);
  if (!Number.isFinite(time)) return undefined;
  // Date.parse rolls 2026-02-30 over to March: a date that does not come back as written is not a date.
  if (value.endsWith('Z') && new Date(time).toISOString().slice(0, 10) !== value.slice(0, 10)) return undefined;
  return new Date(time).toISOString();
}

const LABEL_KEYS = new Set(['prediction_id', 'label', 'labeled_at']);

/**
 * One label as sent, checked and normalised; problems are pushed with `at`
 * as the path prefix. `now` is the default labeled_at and the received_at.
 */
export function readLabel(value: unknown, at: string, now: string, problems: LabelProblem[]): LabelRecord | undefined {
  const before = problems.length;
  const prefix = at === '' ? '' : `${at}.`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path: at === '' ? 'body' : at, problem: 'must be an object with "prediction_id" and "label"' });
    return undefined;
  }
  const item = value as Record<string, unknown>;
  for (const key of Object.keys(item)) {
    if (!LABEL_KEYS.has(key)) problems.push({ path: `${prefix}${key.slice(0, 64)}`, problem: 'is not a label field (prediction_id, label, labeled_at)' });
  }
  if (!('prediction_id' in item)) problems.push({ path: `${prefix}prediction_id`, problem: 'is required' });
  else if (!isPredictionId(item.prediction_id))
    problems.push({ path: `${prefix}prediction_id`, problem: 'must be a string of 1-128 printable characters, no spaces' });
  if (!('label' in item)) problems.push({ path: `${prefix}label`, problem: 'is required' });
  else if (item.label !== 0 && item.label !== 1) problems.push({ path: `${prefix}label`, problem: 'must be 0 or 1' });
  let labeledAt = now;
  if ('labeled_at' in item) {
    const normalised = normaliseIsoDateTime(item.labeled_at);
    if (normalised === undefined)
      problems.push({ path: `${prefix}labeled_at`, problem: 'must be an ISO 8601 date-time with a zone, e.g. 2026-03-01T12:00:00Z' });
    else labeledAt = normalised;
  }
  if (problems.length > before) return undefined;
  return { prediction_id: item.prediction_id as string, label: item.label as 0 | 1, labeled_at: labeledAt, received_at: now };
}

/** Why a whole feedback body is refused before its items are looked at. */
export type FeedbackShapeProblem = { readonly kind: 'shape'; readonly message: string } | { readonly kind: 'too-many'; readonly received: number };

/**
 * The labels of a POST /feedback body, `{prediction_id, label, labeled_at?}`
 * or `{labels: [...]}`: all of them or none (problems), so a bad item never
 * lets the good ones of its request be half stored.
 */
export function readFeedback(body: unknown, now: string): { labels: LabelRecord[]; problems: LabelProblem[]; shape?: FeedbackShapeProblem } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { labels: [], problems: [], shape: { kind: 'shape', message: 'The body must be a JSON object: one label or {"labels": [...]}' } };
  }
  if (!('labels' in body)) {
    const problems: LabelProblem[] = [];
    const label = readLabel(body, '', now, problems);
    return { labels: label ? [label] : [], problems };
  }
  const extra = Object.keys(body).filter((key) => key !== 'labels');
  if (extra.length > 0)
    return { labels: [], problems: [], shape: { kind: 'shape', message: `A batch has only "labels"; unexpected: ${extra.slice(0, 5).join(', ')}` } };
  const items = (body as { labels: unknown }).labels;
  if (!Array.isArray(items) || items.length === 0) return { labels: [], problems: [], shape: { kind: 'shape', message: '"labels" must be a non-empty array' } };
  if (items.length > MAX_FEEDBACK_LABELS) return { labels: [], problems: [], shape: { kind: 'too-many', received: items.length } };
  const problems: LabelProblem[] = [];
  const labels: LabelRecord[] = [];
  for (let i = 0; i < items.length; i++) {
    const label = readLabel(items[i], `labels[${i}]`, now, problems);
    if (label !== undefined) labels.push(label);
  }
  return problems.length > 0 ? { labels: [], problems } : { labels, problems };
}

/** Why a label taken from the queue cannot be stored (undefined: it can). The worker trusts nothing it did not check. */
export function labelProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const label = value as Record<string, unknown>;
  if (!isPredictionId(label.prediction_id)) return 'prediction_id is missing or malformed';
  if (label.label !== 0 && label.label !== 1) return 'label is not 0 or 1';
  for (const key of ['labeled_at', 'received_at'] as const) {
    if (normaliseIsoDateTime(label[key]) !== label[key]) return `${key} is not a normalised ISO 8601 time`;
  }
  return undefined;
}
