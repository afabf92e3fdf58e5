import { VigilError } from '@vigil/errors';

/**
 * Every error the queue package raises, by stable code. `NOT_READY` is the
 * code clients already see for a dependency that is not up (503), so Redis
 * not being connected yet keeps that name rather than a queue-specific one.
 */
export type QueueErrorCode =
  /** Redis is not connected (yet): the queue cannot be used. */
  | 'NOT_READY'
  /** No dead-letter entry with that id. */
  | 'DEAD_LETTER_NOT_FOUND';

export class QueueError extends VigilError<QueueErrorCode> {
  constructor(code: QueueErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'QueueError';
  }
}
