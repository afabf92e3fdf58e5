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
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_READY'
  | 'INTERNAL';

const STATUS: Record<ApiErrorCode, number> = {
  MALFORMED_JSON: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  RATE_LIMITED: 429,
  INVALID_REQUEST: 400,
  TOO_MANY_INSTANCES: 413,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_READY: 503,
  INTERNAL: 500,
};

export class ApiError extends VigilError<ApiErrorCode> {
  constructor(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
    this.name = 'ApiError';
  }
}
