import { createHash } from 'node:crypto';
import { labelProblem, type LabelRecord } from '@vigil/records';

/**
 * The label job on the log queue, beside `log-batch`: the worker dispatches
 * by job name. Rows, not objects, for the same reason as log-batch (every
 * byte crosses Redis several times); labels are small, so no further packing.
 */
export const LABEL_BATCH_JOB = { name: 'label-batch', version: 1 } as const;

export const LABEL_BATCH_COLUMNS = ['prediction_id', 'label', 'labeled_at', 'received_at'] as const;

/** The same retries and keeping of failed jobs as log-batch, so the dead-letter tools read both alike. */
export const LABEL_BATCH_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { count: 1000 },
  removeOnFail: false,
} as const;

export type LabelBatchRow = readonly [string, 0 | 1, string, string];

export interface LabelBatchPayload {
  readonly v: 1;
  readonly columns: typeof LABEL_BATCH_COLUMNS;
  readonly rows: readonly LabelBatchRow[];
}

export function encodeLabelBatch(labels: readonly LabelRecord[]): LabelBatchPayload {
  return { v: 1, columns: LABEL_BATCH_COLUMNS, rows: labels.map((l): LabelBatchRow => [l.prediction_id, l.label, l.labeled_at, l.received_at]) };
}

/**
 * A label event's identity: the same prediction, label and labeled_at is
 * the same decision however often it is sent (a retried request, a re-run
 * import), so the stores keep it once. received_at is left out on purpose.
 */
export function labelId(label: Pick<LabelRecord, 'prediction_id' | 'label' | 'labeled_at'>): string {
  return createHash('sha256').update(`${label.prediction_id}\n${label.label}\n${label.labeled_at}`).digest('hex').slice(0, 32);
}

/**
 * The job id of a batch, from its content: re-adding the same batch (a
 * replay after a timeout that in fact succeeded, an import run twice) is a
 * no-op in BullMQ. Prefixed so it can never equal a log-batch id (a prediction id).
 */
export function labelBatchJobId(labels: readonly Pick<LabelRecord, 'prediction_id' | 'label' | 'labeled_at'>[]): string {
  const hash = createHash('sha256');
  for (const label of labels) hash.update(labelId(label));
  return `label-${hash.digest('hex').slice(0, 40)}`;
}

/** The labels of a payload in record shape, unchecked; undefined when the payload itself is unreadable. */
export function labelBatchRecords(data: unknown): unknown[] | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const payload = data as { v?: unknown; rows?: unknown };
  if (payload.v !== 1 || !Array.isArray(payload.rows)) return undefined;
  return payload.rows.map((row: unknown) => {
    // A row of the wrong width stays an array, which labelProblem refuses.
    if (!Array.isArray(row) || row.length !== LABEL_BATCH_COLUMNS.length) return row;
    return { prediction_id: row[0], label: row[1], labeled_at: row[2], received_at: row[3] };
  });
}

export interface LabelProblemInBatch {
  readonly index: number;
  readonly prediction_id: string | undefined;
  readonly problem: string;
  readonly received: unknown;
}

/** Good labels and bad ones apart, so one corrupt label never blocks its batch. */
export function parseLabelBatch(data: unknown): { labels: LabelRecord[]; problems: LabelProblemInBatch[] } {
  const received = labelBatchRecords(data);
  if (received === undefined) {
    const version = typeof data === 'object' && data !== null ? (data as { v?: unknown }).v : undefined;
    const problem = version === 1 ? 'version 1 label payload is malformed' : `unsupported label payload version ${String(version)}`;
    return { labels: [], problems: [{ index: -1, prediction_id: undefined, problem, received: data }] };
  }
  const labels: LabelRecord[] = [];
  const problems: LabelProblemInBatch[] = [];
  received.forEach((value, index) => {
    const problem = labelProblem(value);
    if (problem === undefined) labels.push(value as LabelRecord);
    else {
      const id = (value as { prediction_id?: unknown } | null)?.prediction_id;
      problems.push({ index, prediction_id: typeof id === 'string' ? id : undefined, problem, received: value });
    }
  });
  return { labels, problems };
}
