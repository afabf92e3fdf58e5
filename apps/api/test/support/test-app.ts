import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';
import { createApiMetrics, createLogger, type ProcessLogger } from '@vigil/metrics';
import { loadModel, type ModelRunner } from '@vigil/model';
import { MonitoringService } from '@vigil/monitoring';
import { SqliteReader, SqliteWriter } from '@vigil/stores';
import { listen, request, type JsonResponse, type Listening } from '../../../../test/support/http';
import { useTempDirs } from '../../../../test/support/temp-dirs';
import { createApp, type AppDependencies } from '../../src/create-app';
import { errorBoundary, notFound } from '../../src/error-boundary';
import { foreignErrors } from '../../src/security/foreign-errors';
import { Readiness } from '../../src/readiness';
import { modelLoaded } from '../../src/readiness-checks';

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** One line the API logged, parsed. */
export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** A logger that keeps its lines (every level) for the test to read. */
export function capturingLogger(): { logger: ProcessLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { logger: createLogger('api', 'debug', (line) => lines.push(JSON.parse(line) as LogLine)), lines };
}

/** An app under test, listening on its own port. */
export interface TestApp extends Listening {
  /** What the app logged. */
  readonly lines: LogLine[];
  /** Real HTTP to it (test/support/http.ts). */
  request<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse<T>>;
}

function served(listening: Listening, lines: LogLine[]): TestApp {
  return { ...listening, lines, request: (method, path, body, headers) => request(listening.port, method, path, body, headers) };
}

const ARTIFACTS = fileURLToPath(new URL('../../../../artifacts/', import.meta.url));

/**
 * Call inside a `describe`: gives
 *  - `middleware(handlers, routes?)`: a tiny Express app with the handlers under test, then
 *    `routes` (default: `ALL /echo`, answering `{ method, body }`), then the API's own 404, foreign-error
 *    translation and error boundary, so every refusal is answered exactly as the API answers it;
 *  - `api(deps?)`: the API's real createApp, without Redis or Postgres: no prediction logger,
 *    the committed model, monitoring over an empty SQLite file of the test's own;
 * each listening on 127.0.0.1 on a free port, and all closed (files removed) after each test.
 */
export function useTestApps() {
  const open: (() => Promise<void>)[] = [];
  let model: ModelRunner | undefined;
  // Registered before useTempDirs' hook, so the apps close before their files go.
  afterEach(async function () {
    for (const close of open.splice(0).reverse()) await close();
  });
  const tempDir = useTempDirs();
  after(async function () {
    await model?.close();
  });

  async function middleware(handlers: readonly RequestHandler[], routes?: (app: Express) => void): Promise<TestApp> {
    const { logger, lines } = capturingLogger();
    const app = express();
    app.disable('x-powered-by');
    for (const handler of handlers) app.use(handler);
    if (routes) routes(app);
    else app.all('/echo', (req, res) => void res.json({ method: req.method, body: (req.body as unknown) ?? null }));
    app.use(notFound);
    app.use(foreignErrors());
    app.use(errorBoundary(logger));
    const listening = await listen(app);
    open.push(() => listening.close());
    return served(listening, lines);
  }

  async function api(overrides: Partial<AppDependencies> = {}): Promise<TestApp> {
    const { logger, lines } = capturingLogger();
    model ??= await loadModel({ modelPath: join(ARTIFACTS, 'model.onnx'), specPath: join(ARTIFACTS, 'model.spec.json') });
    const path = join(tempDir('api-app'), 'monitoring.db');
    SqliteWriter.open(path).close(); // the schema, as the worker leaves it
    const reader = SqliteReader.open(path);
    const app = createApp({
      model,
      predictionLogger: undefined,
      monitoring: new MonitoringService(reader),
      metrics: createApiMetrics(),
      logger,
      readiness: new Readiness({ model: modelLoaded }),
      bodyLimitBytes: 4096,
      maxInstancesPerRequest: 10,
      ...overrides,
    });
    const listening = await listen(app);
    open.push(async () => {
      await listening.close();
      await reader.close();
    });
    return served(listening, lines);
  }

  return { middleware, api };
}
