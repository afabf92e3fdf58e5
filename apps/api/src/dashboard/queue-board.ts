import express, { type Express } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { QueueInspector } from '@vigil/queue';
import { ApiError } from '../api-errors';
import { boardAuth, sameOriginWrites } from './board-auth';

/** Where create-app mounts the board. */
export const QUEUE_BOARD_PATH = '/admin/queues';

/** Options for {@link queueBoard}. */
export interface QueueBoardOptions {
  readonly inspector: QueueInspector;
  /**
   * The monitoring key; the board asks for it (Bearer, or HTTP Basic in a browser).
   * @defaultValue undefined: the board is open, as every /admin path is without a key
   */
  readonly key?: string | undefined;
}

// bull-board's page is a React app: its own scripts and styles, inline style
// attributes, JSON and images from itself. Its Google Fonts link is refused,
// so the page never reaches outside (the system font is used instead).
const BOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * bull-board over the log queue and its dead-letter queue, as an Express app
 * to mount at {@link QUEUE_BOARD_PATH}. The dead-letter queue is read-only
 * (replay goes through `npm run cli -- dlq replay` or /admin/dead-letters,
 * which also remove the entry); the log queue keeps bull-board's actions
 * (retry, clean, pause). Queues are registered on the first request, once
 * Redis is connected (see QueueInspector.ready).
 */
export function queueBoard(options: QueueBoardOptions): Express {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: 'Vigil queues' } } });
  const ui = serverAdapter.getRouter() as Express;
  ui.disable('x-powered-by');

  const app = express();
  app.disable('x-powered-by');
  if (options.key !== undefined) app.use(boardAuth({ key: options.key, realm: 'vigil-monitoring' }));
  app.use(sameOriginWrites);
  // As everywhere in the API (no CORS): Express would otherwise answer OPTIONS itself.
  app.use((req, _res, next) => {
    next(req.method === 'OPTIONS' ? new ApiError('METHOD_NOT_ALLOWED', 'OPTIONS is not supported', { method: req.method }) : undefined);
  });
  let registered = false;
  app.use((_req, res, next) => {
    if (!registered) {
      const { log, deadLetters } = options.inspector.ready();
      board.setQueues([
        new BullMQAdapter(log, { description: 'Prediction log batches (one job = one batch)' }),
        new BullMQAdapter(deadLetters, { readOnlyMode: true, description: 'Records the worker could not store; replay with the CLI or /admin/dead-letters' }),
      ]);
      registered = true;
    }
    res.setHeader('Content-Security-Policy', BOARD_CSP);
    next();
  });
  app.use(ui);
  return app;
}
