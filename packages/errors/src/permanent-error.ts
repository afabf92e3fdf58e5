import { VigilError } from './vigil-error';

/** The codes of failures that no retry can mend. */
export type PermanentErrorCode =
  /** A store refused the data itself (a constraint, a type, a size), not because it was busy or away. */
  | 'STORE_REJECTED_DATA'
  /** A webhook receiver answered 4xx: it will refuse the same request again. */
  | 'WEBHOOK_REJECTED';

/**
 * A named outcome, like bullmq's UnrecoverableError: the same input will
 * meet the same failure, so whoever holds it (the log-batch handler, the
 * webhook delivery worker) stops retrying and sets the input aside where a
 * person can see it. Decided where the failure arises, by type, so callers
 * never match driver codes or message text.
 */
export class PermanentError extends VigilError<PermanentErrorCode> {
  constructor(code: PermanentErrorCode, message: string, details: Record<string, unknown> = {}, options: { cause?: unknown } = {}) {
    super(code, message, details);
    this.name = 'PermanentError';
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** True for an error that retrying cannot mend. */
export function isPermanentError(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}
