import express, { type Express, type RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { QueueInspector } from '@vigil/queue';
import { ApiError } from '../api-errors';
import { accessKeys, type AccessKeyOptions } from '../security/access-keys';
import { boardAccess, boardAuth, sameOriginWrites } from './board-auth';

/** Where create-app mounts the board. */
export const QUEUE_BOARD_PATH = '/admin/queues';

/** Options for {@link queueBoard}. */
export interface QueueBoardOptions {
  readonly inspector: QueueInspector;
  /**
   * The read and the write key; the board asks for one (Bearer, or HTTP Basic in a browser).
   * @defaultValue `{}`: the board is open with its actions, as every /admin path is without keys
   */
  readonly keys?: AccessKeyOptions;
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

/** One bull-board instance served under {@link QUEUE_BOARD_PATH}: its router, and how to give it the queues. */
interface Board {
  readonly ui: RequestHandler;
  register(inspector: QueueInspector): void;
}

function board(withActions: boolean): Board {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  const boardTitle = withActions ? 'Vigil queues' : 'Vigil queues (read-only)';
  const { setQueues } = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle } } });
  const ui = serverAdapter.getRouter() as Express;
  ui.disable('x-powered-by');
  return {
    ui,
    register(inspector) {
      const { log, deadLetters } = inspector.ready();
      setQueues([
        new BullMQAdapter(log, { readOnlyMode: !withActions, description: 'Prediction log batches (one job = one batch)' }),
        new BullMQAdapter(deadLetters, { readOnlyMode: true, description: 'Records the worker could not store; replay with the CLI or /admin/dead-letters' }),
      ]);
    },
  };
}

/**
 * bull-board over the log queue and its dead-letter queue, as an Express app
 * to mount at {@link QUEUE_BOARD_PATH}. There are two boards at that path:
 * the read key (MONITORING_API_KEY, once ADMIN_API_KEY is set) is shown one
 * where every queue is read-only, so a viewer sees no retry, clean or pause
 * button (and boardAuth refuses such a request anyway); the admin key is
 * shown the log queue with bull-board's actions. The dead-letter queue is
 * read-only on both (replay goes through `npm run cli -- dlq replay` or
 * /admin/dead-letters, which also remove the entry). Queues are registered
 * on the first request, once Redis is connected (see QueueInspector.ready).
 */
export function queueBoard(options: QueueBoardOptions): Express {
  const boards = { read: board(false), admin: board(true) };

  const app = express();
  app.disable('x-powered-by');
  app.use(boardAuth({ keys: accessKeys(options.keys ?? {}), realm: 'vigil-monitoring' }));
  app.use(sameOriginWrites);
  // As everywhere in the API (no CORS): Express would otherwise answer OPTIONS itself.
  app.use((req, _res, next) => {
    next(req.method === 'OPTIONS' ? new ApiError('METHOD_NOT_ALLOWED', 'OPTIONS is not supported', { method: req.method }) : undefined);
  });
  let registered = false;
  app.use((_req, res, next) => {
    if (!registered) {
      boards.read.register(options.inspector);
      boards.admin.register(options.inspector);
      registered = true;
    }
    res.setHeader('Content-Security-Policy', BOARD_CSP);
    next();
  });
  app.use((req, res, next) => boards[boardAccess(res)].ui(req, res, next));
  return app;
}
