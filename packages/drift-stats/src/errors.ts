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
 * Bad input is the caller's mistake, so these map to 400 if they ever reach
 * the HTTP boundary; the details name the argument and what was wrong.
 */
export class DriftStatsError extends VigilError<DriftStatsErrorCode> {
  constructor(code: DriftStatsErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, 400, details);
    this.name = 'DriftStatsError';
  }
}
