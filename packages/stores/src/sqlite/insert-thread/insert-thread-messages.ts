import type { MessagePort } from 'node:worker_threads';
import { isPermanentError, PermanentError } from '@vigil/errors';
import type { PredictionColumns } from '../prediction-columns';

/** What the insert thread is started with (its workerData). */
export interface InsertThreadData {
  /** The SQLite file; the opening process has already migrated it. */
  readonly path: string;
  /** Where requests arrive and answers go: a port of its own, so the thread can take every queued request at once (receiveMessageOnPort). */
  readonly port: MessagePort;
  /** The most batches one transaction takes (see SqliteInsertThreadOptions). */
  readonly maxBatchesPerTransaction: number;
}

/** One transaction's worth of batches, numbered so its answer finds its caller. */
export interface InsertRequest {
  readonly id: number;
  readonly batches: readonly PredictionColumns[];
}

/** Sent last: the thread closes its connection and ends. */
export interface CloseRequest {
  readonly close: true;
}

/**
 * Why a write failed, in a form that crosses the thread: the error's
 * message and code, and whether it was the store refusing the data (a
 * PermanentError, never retried) or anything else (retried).
 */
export interface InsertFailure {
  readonly message: string;
  readonly code: string | undefined;
  readonly permanent: { readonly details: Readonly<Record<string, unknown>> } | undefined;
}

export type InsertReply = { readonly id: number; readonly counts: number[] } | { readonly id: number; readonly failure: InsertFailure };

export function insertFailure(error: unknown): InsertFailure {
  if (isPermanentError(error)) return { message: error.message, code: error.code, permanent: { details: error.details } };
  const code = (error as { code?: unknown } | null)?.code;
  return { message: error instanceof Error ? error.message : String(error), code: typeof code === 'string' ? code : undefined, permanent: undefined };
}

/** The failure as the error the caller would have caught had it written in its own thread. */
export function failureError(failure: InsertFailure): Error {
  if (failure.permanent !== undefined) return new PermanentError('STORE_REJECTED_DATA', failure.message, failure.permanent.details);
  return Object.assign(new Error(failure.message), failure.code === undefined ? {} : { code: failure.code });
}
