import type { Area, DocumentedAccess } from './access';
import { errorResponses, type ErrorCauses } from './error-responses';
import type { OperationObject, ParameterObject, RequestBodyObject, Responses } from './openapi-types';

/** What every operation's common answers depend on: the keys and the rate limit of this server. */
export interface DocumentContext {
  readonly access: DocumentedAccess;
  /** RATE_LIMIT_PER_MINUTE; undefined: no limit, so no 429. */
  readonly rateLimitPerMinute: number | undefined;
}

/** One route as the path tables write it; {@link operation} adds the keys, 401, 429 and 500 it shares with the others. */
export interface OperationInput {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly area: Area;
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: RequestBodyObject;
  /** The answers that are not errors (and /readyz's 503, which has its own body). */
  readonly responses: Responses;
  /** The route's own error codes, each with why it gives it. */
  readonly errors?: ErrorCauses;
}

const REFUSED: Readonly<Record<'predict' | 'feedback' | 'read', string>> = {
  predict: 'no `Authorization: Bearer` header with the predict key, or another key',
  feedback: 'no `Authorization: Bearer` header with the feedback key (FEEDBACK_API_KEY, else PREDICT_API_KEY), or another key',
  read: 'no `Authorization: Bearer` header with the read key (MONITORING_API_KEY) or the admin key',
};

function refusal(context: DocumentContext, area: Area): string | undefined {
  if (context.access.requirement(area).length === 0) return undefined;
  if (area === 'predict' || area === 'feedback' || area === 'read') return REFUSED[area];
  if (area !== 'write') return undefined;
  const readKeyRefused = 'adminKey' in context.access.schemes && 'monitoringKey' in context.access.schemes;
  return `no \`Authorization: Bearer\` header with the admin key${readKeyRefused ? ', or the read key (`details.reason`: read_only_key)' : ''}`;
}

export function operation(context: DocumentContext, input: OperationInput): OperationObject {
  const unauthorized = refusal(context, input.area);
  const limited = context.rateLimitPerMinute !== undefined && input.area !== 'probe';
  const errors: ErrorCauses = {
    ...input.errors,
    ...(unauthorized === undefined ? {} : { UNAUTHORIZED: unauthorized }),
    ...(limited ? { RATE_LIMITED: `over ${context.rateLimitPerMinute} requests a minute from this client (RATE_LIMIT_PER_MINUTE)` } : {}),
    INTERNAL: 'an unexpected fault; the answer hides it, the log has it with the stack',
  };
  return {
    operationId: input.operationId,
    summary: input.summary,
    ...(input.description === undefined ? {} : { description: input.description }),
    tags: [input.tag],
    security: context.access.requirement(input.area),
    ...(input.parameters === undefined ? {} : { parameters: input.parameters }),
    ...(input.requestBody === undefined ? {} : { requestBody: input.requestBody }),
    responses: { ...input.responses, ...errorResponses(errors) },
  };
}
