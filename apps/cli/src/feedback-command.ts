import { once } from 'node:events';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import type { Config } from '@vigil/config';
import { encodeLabelBatch, LABEL_BATCH_JOB, LABEL_BATCH_JOB_OPTIONS, labelBatchJobId, queueNames, ReadyQueue, type LabelBatchPayload } from '@vigil/queue';
import { MAX_FEEDBACK_LABELS, normaliseIsoDateTime, type LabelRecord } from '@vigil/records';
import { LabelCsvError, readLabelCsv } from './feedback/label-csv';
import { createProgress, type ProgressStream } from './feedback/progress';

const USAGE = `usage: npm run cli -- feedback import <labels.csv> [--batch-size N] [--labeled-at ISO-8601]
  columns: prediction_id,label[,labeled_at] (header required); label 0 or 1; labeled_at ISO 8601 with a zone
  a row without labeled_at takes --labeled-at, else the file's modification time (so a re-run is the same labels)
  exit: 0 every row enqueued, 1 rows skipped (the rest enqueued) or the import failed, 2 usage`;

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

export interface FeedbackCommandIo {
  readonly out: (line: string) => void;
  /** Where the progress goes (stderr). */
  readonly progress: ProgressStream;
}

interface ImportOptions {
  readonly file: string;
  readonly batchSize: number;
  readonly labeledAt: string | undefined;
}

function parseArgs(args: readonly string[]): ImportOptions | string {
  const [verb, ...rest] = args;
  // A template literal: test/repo/package-graph.test.ts would take the verb in plain quotes for a module name.
  if (verb !== `import`) return 'unknown or missing verb';
  let file: string | undefined;
  let batchSize = MAX_FEEDBACK_LABELS;
  let labeledAt: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--batch-size') {
      batchSize = Number(rest[++i]);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_FEEDBACK_LABELS)
        return `--batch-size takes a whole number from 1 to ${MAX_FEEDBACK_LABELS}`;
    } else if (arg === '--labeled-at') {
      labeledAt = normaliseIsoDateTime(rest[++i]);
      if (labeledAt === undefined) return '--labeled-at takes an ISO 8601 date-time with a zone, e.g. 2026-03-01T12:00:00Z';
    } else if (arg.startsWith('--')) return `unknown option ${arg}`;
    else if (file === undefined) file = arg;
    else return 'one file at a time';
  }
  return file === undefined ? 'no file given' : { file, batchSize, labeledAt };
}

/**
 * `feedback import <labels.csv>`: a back-fill of labels, straight onto the
 * log queue as label-batch jobs (the worker stores them as it does POST
 * /feedback's). Job ids come from the labels in them, and a label's
 * identity is its prediction_id, label and labeled_at, so running the same
 * file again adds no job BullMQ still holds and no label the stores hold.
 * Returns the exit code.
 */
export async function feedbackCommand(config: Config, args: readonly string[], io: FeedbackCommandIo): Promise<number> {
  const options = parseArgs(args);
  if (typeof options === 'string') {
    io.out(`feedback: ${options}`);
    io.out(USAGE);
    return 2;
  }
  let size: number;
  let modified: Date;
  try {
    ({ size, mtime: modified } = statSync(options.file));
  } catch (error) {
    io.out(`feedback import: cannot read ${options.file}: ${(error as Error).message}`);
    return 1;
  }
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  const queue = new ReadyQueue<LabelBatchPayload>(connection, queueNames(config.queueName).log, { defaultJobOptions: LABEL_BATCH_JOB_OPTIONS });
  const input = createReadStream(options.file);
  const progress = createProgress(io.progress, size, io.out);
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
    if (error instanceof LabelCsvError) io.out(`feedback import: ${options.file}: ${error.message}; nothing imported`);
    else {
      io.out(`feedback import: ${(error as Error).message}`);
      io.out(`${enqueued} label(s) were enqueued before the failure; running the import again is safe (the same labels are not stored twice)`);
    }
    return 1;
  } finally {
    input.destroy();
    await queue.close();
    connection.disconnect();
  }
  if (skipped > MAX_REPORTED) io.out(`... and ${skipped - MAX_REPORTED} more skipped row(s)`);
  io.out(`imported ${enqueued} label(s) in ${jobs} job(s) onto ${queueNames(config.queueName).log}; skipped ${skipped} bad row(s)`);
  return skipped > 0 ? 1 : 0;
}
