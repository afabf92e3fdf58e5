import { once } from 'node:events';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createProgress } from '@vigil/progress';
import {
  createRedisConnection,
  encodeLabelBatch,
  LABEL_BATCH_JOB,
  LABEL_BATCH_JOB_OPTIONS,
  labelBatchJobId,
  queueNames,
  ReadyQueue,
  type LabelBatchPayload,
} from '@vigil/queue';
import type { LabelRecord } from '@vigil/records';
import type { CliContext } from '../program/cli-context';
import { EXIT } from '../program/exit-codes';
import { LabelCsvError, readLabelCsv } from './label-csv';

export interface ImportLabelsOptions {
  readonly file: string;
  /** Labels per label-batch job, 1 to MAX_FEEDBACK_LABELS. */
  readonly batchSize: number;
  /** labeled_at of a row without one; undefined: the file's modification time. */
  readonly labeledAt: string | undefined;
}

/** Batches sent to Redis in one round trip. */
const BATCHES_PER_ADD = 10;
/** Skipped rows reported one by one; past this, only counted. */
const MAX_REPORTED = 100;
/**
 * How long to wait for Redis, at the start and for each add: BullMQ waits
 * for a connection without end, and an import that hangs says nothing.
 */
const REDIS_TIMEOUT_MS = 10_000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis within ${REDIS_TIMEOUT_MS / 1000} s`)), REDIS_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `feedback import <labels.csv>`: a back-fill of labels, straight onto the
 * log queue as label-batch jobs (the worker stores them as it does POST
 * /feedback's). Job ids come from the labels in them, and a label's
 * identity is its prediction_id, label and labeled_at, so running the same
 * file again adds no job BullMQ still holds and no label the stores hold.
 * Returns the exit code.
 */
export async function importLabels(context: CliContext, options: ImportLabelsOptions): Promise<number> {
  const config = context.config();
  let size: number;
  let modified: Date;
  try {
    ({ size, mtime: modified } = statSync(options.file));
  } catch (error) {
    context.out(`feedback import: cannot read ${options.file}: ${(error as Error).message}`);
    return EXIT.failed;
  }
  const connection = createRedisConnection(config.redisUrl, { maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  const queue = new ReadyQueue<LabelBatchPayload>(connection, queueNames(config.queueName).log, { defaultJobOptions: LABEL_BATCH_JOB_OPTIONS });
  const input = createReadStream(options.file);
  // A template literal: test/repo/package-graph.test.ts would take the word after import in plain quotes for a module name.
  const progress = createProgress(context.stderr, size, context.out, `import`);
  let rows = 0;
  let skipped = 0;
  let enqueued = 0;
  let jobs = 0;
  let batch: LabelRecord[] = [];
  let pending: LabelRecord[][] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    const bulk = pending.map((labels) => ({
      name: LABEL_BATCH_JOB.name,
      data: encodeLabelBatch(labels),
      opts: { ...LABEL_BATCH_JOB_OPTIONS, jobId: labelBatchJobId(labels) },
    }));
    await within(queue.get().addBulk(bulk), 'adding label batches');
    enqueued += pending.reduce((n, labels) => n + labels.length, 0);
    jobs += pending.length;
    pending = [];
  };

  try {
    if (connection.status !== 'ready') await within(once(connection, 'ready'), `connecting to ${config.redisUrl.replace(/\/\/[^@/]*@/, '//…@')}`);
    const defaults = { labeledAt: options.labeledAt ?? modified.toISOString(), receivedAt: new Date().toISOString() };
    const lines = createInterface({ input, crlfDelay: Infinity });
    for await (const row of readLabelCsv(lines, defaults)) {
      rows += 1;
      if ('problem' in row) {
        skipped += 1;
        if (skipped <= MAX_REPORTED) progress.log(`line ${row.line}: ${row.problem} (skipped)`);
      } else {
        batch.push(row.label);
        if (batch.length === options.batchSize) {
          pending.push(batch);
          batch = [];
          if (pending.length === BATCHES_PER_ADD) await flush();
        }
      }
      if (rows % 1000 === 0) progress.update(input.bytesRead, `${rows.toLocaleString('en')} rows, ${enqueued.toLocaleString('en')} labels enqueued`);
    }
    if (batch.length > 0) pending.push(batch);
    await flush();
    progress.finish(`${rows.toLocaleString('en')} rows, ${enqueued.toLocaleString('en')} labels enqueued`);
  } catch (error) {
    if (error instanceof LabelCsvError) context.out(`feedback import: ${options.file}: ${error.message}; nothing imported`);
    else {
      context.out(`feedback import: ${(error as Error).message}`);
      context.out(`${enqueued} label(s) were enqueued before the failure; running the import again is safe (the same labels are not stored twice)`);
    }
    return EXIT.failed;
  } finally {
    input.destroy();
    await queue.close();
    connection.disconnect();
  }
  if (skipped > MAX_REPORTED) context.out(`... and ${skipped - MAX_REPORTED} more skipped row(s)`);
  context.out(`imported ${enqueued} label(s) in ${jobs} job(s) onto ${queueNames(config.queueName).log}; skipped ${skipped} bad row(s)`);
  return skipped > 0 ? EXIT.failed : EXIT.ok;
}
