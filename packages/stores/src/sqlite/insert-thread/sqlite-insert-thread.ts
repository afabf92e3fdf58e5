import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { PredictionRecord } from '@vigil/records';
import { columnBuffers, predictionColumns } from '../prediction-columns';
import { failureError, type CloseRequest, type InsertReply, type InsertRequest, type InsertThreadData } from './insert-thread-messages';

/** The insert thread's bundle, beside the process's own (dist/worker.mjs), in a build: see scripts/build/build-bundles.ts. */
export const INSERT_THREAD_BUNDLE = 'sqlite-inserts.mjs';

/**
 * Where the thread's code is: from the source tree, a shim that loads the
 * TypeScript through tsx; in a build, where this module's .ts is not
 * shipped, the thread's bundle beside the one the process runs.
 */
function threadEntry(): URL {
  if (existsSync(fileURLToPath(new URL('./insert-thread-main.ts', import.meta.url)))) return new URL('./insert-thread-from-source.mjs', import.meta.url);
  return new URL(INSERT_THREAD_BUNDLE, pathToFileURL(process.argv[1] ?? ''));
}

export interface SqliteInsertThreadOptions {
  /**
   * The most batches one transaction takes; the thread takes every batch
   * that queued up while its last transaction ran, up to this. Half the
   * batches the worker holds at once (WORKER_CONCURRENCY) keeps both threads
   * busy: with all of them in one transaction, the worker had no batch left
   * to fetch and parse until it committed, and the threads took turns.
   * @defaultValue 8
   */
  readonly maxBatchesPerTransaction?: number;
}

/**
 * A thread's error as it reaches this one: a structured clone, in which a
 * driver's own error class (SqliteError) arrives as a plain object with its
 * code and no message.
 */
function threadError(value: unknown): Error {
  if (value instanceof Error) return value;
  const code = (value as { code?: unknown } | null)?.code;
  const error = new Error(`the SQLite insert thread failed${typeof code === 'string' ? ` (${code})` : ''}`);
  return typeof code === 'string' ? Object.assign(error, { code }) : error;
}

interface Pending {
  resolve(counts: number[]): void;
  reject(error: Error): void;
}

/**
 * Prediction inserts on a thread of their own. The worker's main thread
 * spends about 4 µs a record on the queue (BullMQ's fetch and acknowledge,
 * JSON.parse, validation) and SQLite about 6 µs more; one thread doing
 * both drained 0.6× a raw insert. Here the main thread turns each batch
 * into columns (the features into JSON) and goes back to the queue while
 * this thread writes, so the two overlap on two cores.
 *
 * Answers come in request order. If the thread dies (it should not; a
 * refused row is an answer, not a crash), every write in flight fails with
 * its error, to be retried like any failed write, and the next write starts
 * a new thread.
 */
export class SqliteInsertThread {
  private thread: { readonly worker: Worker; readonly port: MessagePort } | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  private readonly maxBatchesPerTransaction: number;

  constructor(
    private readonly path: string,
    options: SqliteInsertThreadOptions = {},
  ) {
    this.maxBatchesPerTransaction = Math.max(1, options.maxBatchesPerTransaction ?? 8);
  }

  /** Writes the batches in one transaction, all or none; resolves with each one's new rows (see SqliteWriter.insertBatches). */
  insertBatches(batches: readonly (readonly PredictionRecord[])[]): Promise<number[]> {
    if (this.closed) return Promise.reject(new Error('the SQLite insert thread is closed'));
    const columns = batches.map(predictionColumns);
    const request: InsertRequest = { id: this.nextId++, batches: columns };
    return new Promise<number[]>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.running().port.postMessage(request, columns.flatMap(columnBuffers));
    });
  }

  /** One batch: resolves with its new rows. */
  async insertBatch(records: readonly PredictionRecord[]): Promise<number> {
    return (await this.insertBatches([records]))[0]!;
  }

  /** Lets the thread finish what it was sent, then closes its connection and ends it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const thread = this.thread;
    if (thread === undefined) return;
    const ended = new Promise<void>((resolve) => thread.worker.once('exit', () => resolve()));
    thread.port.postMessage({ close: true } satisfies CloseRequest);
    await ended;
    thread.port.close();
  }

  private running(): { readonly worker: Worker; readonly port: MessagePort } {
    if (this.thread !== undefined) return this.thread;
    const { port1: port, port2: threadPort } = new MessageChannel();
    const worker = new Worker(threadEntry(), {
      workerData: { path: this.path, port: threadPort, maxBatchesPerTransaction: this.maxBatchesPerTransaction } satisfies InsertThreadData,
      transferList: [threadPort],
    });
    const thread = { worker, port };
    port.on('message', (reply: InsertReply) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      if ('counts' in reply) waiting.resolve(reply.counts);
      else waiting.reject(failureError(reply.failure));
    });
    const failAll = (error: Error) => {
      if (this.thread === thread) this.thread = undefined;
      port.close();
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        waiting.reject(error);
      }
    };
    worker.on('error', (error: unknown) => failAll(threadError(error)));
    worker.on('exit', (code) => failAll(new Error(`the SQLite insert thread ended (exit code ${code})`)));
    this.thread = thread;
    return thread;
  }
}
