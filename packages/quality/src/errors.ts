import { VigilError } from '@vigil/errors';

/** Every error the quality figures raise, by stable code. */
export type QualityErrorCode =
  /** A probability outside [0, 1] or not a number, a label not 0/1, a count that is negative. */
  | 'INVALID_VALUE'
  /** A labeled reference with no rows, or arrays that do not line up. */
  | 'INVALID_REFERENCE';

/**
 * Quality figures were asked of values outside their domain; the details
 * name what and where. The API only feeds these stored rows and its own
 * artifacts, so one reaching the HTTP boundary is the server's fault (500).
 */
export class QualityError extends VigilError<QualityErrorCode> {
  constructor(code: QualityErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'QualityError';
  }
}
