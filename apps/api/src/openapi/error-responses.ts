import { ERROR_STATUS, type ErrorCode } from '../error-status';
import { json, schemaRef, type HeaderObject, type JsonSchema, type ResponseObject, type Responses } from './openapi-types';

/** The one body of every error answer (error-json.ts), its codes from the one status table (error-status.ts). */
export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Every error answer: a stable code, a message for people, and details for programs.',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS), description: 'Stable; each code always has the same status.' },
        message: { type: 'string', description: 'What went wrong; for a fault of ours (5xx but NOT_READY) it hides the cause, which is logged.' },
        details: {
          type: 'object',
          description: 'Empty for faults of ours. The fields depend on the code; these are the common ones.',
          properties: {
            where: { type: 'string', description: 'The part of the request at fault (body, headers.content-type, instances, path.id…).' },
            problems: {
              type: 'array',
              maxItems: 50,
              description: 'INVALID_FEATURES and INVALID_LABELS: each bad field by its path, e.g. instances[3].amount.',
              items: { type: 'object', required: ['path', 'problem'], properties: { path: { type: 'string' }, problem: { type: 'string' } } },
            },
            parameter: { type: 'string', description: 'INVALID_QUERY_PARAMETER: the parameter at fault.' },
            limit: { type: 'integer', description: 'TOO_MANY_INSTANCES, TOO_MANY_LABELS: the most allowed.' },
            received: { description: 'What was sent, cut short.' },
            realm: { type: 'string', description: 'UNAUTHORIZED: the area whose key is needed (predict, feedback, monitoring, admin).' },
            reason: { type: 'string', description: 'UNAUTHORIZED: missing, malformed, invalid_key or read_only_key.' },
          },
        },
      },
    },
  },
};

/** Why a route gives each code, in that route's words. */
export type ErrorCauses = Readonly<Partial<Record<ErrorCode, string>>>;

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'No valid key',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Invalid content',
  429: 'Rate limited',
  500: 'A fault of ours (logged with its cause)',
  503: 'A dependency this request needs is not configured or not up',
};

const HEADERS: Readonly<Partial<Record<ErrorCode, readonly [string, HeaderObject]>>> = {
  UNAUTHORIZED: [
    'WWW-Authenticate',
    { description: 'Bearer realm="…", with error="invalid_token" or "insufficient_scope" when a key was sent.', schema: { type: 'string' } },
  ],
  RATE_LIMITED: ['Retry-After', { description: "Seconds until the client's window ends.", schema: { type: 'integer', minimum: 1 } }],
};

/**
 * The error answers of one operation, grouped by status. The status of each
 * code is looked up in ERROR_STATUS, never written here, so the document
 * cannot disagree with what the API sends.
 */
export function errorResponses(causes: ErrorCauses): Responses {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of Object.keys(causes) as ErrorCode[]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ResponseObject> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const lines = codes.map((code) => `- \`${code}\`: ${causes[code]}`);
    const headers = codes.flatMap((code) => (HEADERS[code] === undefined ? [] : [HEADERS[code]]));
    responses[String(status)] = {
      description: `${STATUS_TEXT[status] ?? 'Error'}.\n\n${lines.join('\n')}`,
      ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
      content: json(schemaRef('Error')),
      'x-error-codes': codes,
    };
  }
  return responses;
}
