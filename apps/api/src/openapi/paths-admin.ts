import { QUEUE_BOARD_PATH } from '../dashboard/queue-board';
import type { ErrorCauses } from './error-responses';
import { json, schemaRef, type Paths } from './openapi-types';
import { operation, type DocumentContext } from './operation';
import { DEAD_LETTER_ID, limitParameter } from './parameters';

const NO_QUEUE: ErrorCauses = { NOT_READY: 'prediction logging is off (no dead-letter queue), or Redis is not connected' };
const ONE_ENTRY: ErrorCauses = {
  INVALID_REQUEST: 'the id is not 1-128 letters, digits, _ - :, or has a malformed percent-escape',
  DEAD_LETTER_NOT_FOUND: 'no dead letter with that id',
  ...NO_QUEUE,
};

/** The dead-letter queue over HTTP, and bull-board's page when create-app mounted it. */
export function adminPaths(context: DocumentContext, mounted: { readonly queueBoard: boolean }): Paths {
  const paths: Record<string, Paths[string]> = {
    '/admin/dead-letters': {
      get: operation(context, {
        operationId: 'listDeadLetters',
        summary: 'Dead-letter entries: records the worker could not store, newest first',
        tag: 'admin',
        area: 'read',
        parameters: [limitParameter(100, 1000)],
        responses: { '200': { description: 'The entries, summarized.', content: json(schemaRef('DeadLetters')) } },
        errors: { INVALID_QUERY_PARAMETER: 'limit is not an integer from 1 to 1000', ...NO_QUEUE },
      }),
    },
    '/admin/dead-letters/{id}': {
      get: operation(context, {
        operationId: 'getDeadLetter',
        summary: 'One dead-letter entry: kind, reason, per-record problems, the records as they arrived',
        tag: 'admin',
        area: 'read',
        parameters: [DEAD_LETTER_ID],
        responses: { '200': { description: 'The entry.', content: json(schemaRef('DeadLetter')) } },
        errors: ONE_ENTRY,
      }),
    },
    '/admin/dead-letters/{id}/replay': {
      post: operation(context, {
        operationId: 'replayDeadLetter',
        summary: "Put the entry's records back on the log queue and remove the entry",
        description: 'The stores are idempotent on prediction_id, so a replay never stores a record twice. Takes no body.',
        tag: 'admin',
        area: 'write',
        parameters: [DEAD_LETTER_ID],
        responses: { '200': { description: 'Replayed.', content: json(schemaRef('Replayed')) } },
        errors: ONE_ENTRY,
      }),
    },
  };
  if (mounted.queueBoard) {
    paths[QUEUE_BOARD_PATH] = {
      get: operation(context, {
        operationId: 'queueBoard',
        summary: 'bull-board over the log queue and its dead-letter queue (a page for people)',
        description:
          'Takes the key as a Bearer token or as the password of HTTP Basic (a browser prompts for it). The read key shows every queue read-only; ' +
          "the admin key adds bull-board's actions. The page's own JSON API under this path is bull-board's.",
        tag: 'admin',
        area: 'read',
        responses: { '200': { description: 'The board.', content: { 'text/html': { schema: { type: 'string' } } } } },
      }),
    };
  }
  return paths;
}
