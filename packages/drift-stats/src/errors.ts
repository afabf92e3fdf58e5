import { VigilError } from '@vigil/errors';

/** Every error the drift statistics raise, by stable code. */
export type DriftStatsErrorCode =
  /** A sample or count vector with nothing in it (or counts that sum to zero). */
  | 'EMPTY_INPUT'
  /** NaN or ±Infinity in a sample, or a negative / non-finite count. */
  | 'INVALID_VALUE'
  /** Two vectors that must line up (category counts) have different lengths. */
  | 'LENGTH_MISMATCH'
  /** An option outside its domain (bins, alpha, capacity, seed, method, base). */
  | 'INVALID_OPTION';

/**
 * A statistic was called with arguments outside its domain; the details
 * name the argument and what was wrong. The API computes these over its own
 * stored rows and settings, so one reaching the HTTP boundary is the
 * server's fault (500), never the client's.
 */
export class DriftStatsError extends VigilError<DriftStatsErrorCode> {
  constructor(code: DriftStatsErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'DriftStatsError';
  }
}
