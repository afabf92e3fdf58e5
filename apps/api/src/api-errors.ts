import { VigilError } from '@vigil/errors';

/** Every error the HTTP layer itself raises, by stable code. */
export type ApiErrorCode =
  | 'MALFORMED_JSON'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'INVALID_REQUEST'
  | 'TOO_MANY_INSTANCES'
  | 'TOO_MANY_LABELS'
  | 'INVALID_LABELS'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_READY'
  | 'INTERNAL';

/** An error of the HTTP layer; its status comes from the one table in error-status.ts. */
export class ApiError extends VigilError<ApiErrorCode> {
  constructor(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'ApiError';
  }
}
