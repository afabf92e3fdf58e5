import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import { loadAlertRules, SqliteAlertStore } from '@vigil/alerts';
import { createDriftService } from '@vigil/drift';
import { createApiMetrics } from '@vigil/metrics';
import { loadModel, type ModelRunner, type ModelSpec } from '@vigil/model';
import { MonitoringService } from '@vigil/monitoring';
import { QueueInspector } from '@vigil/queue';
import { SqliteReader, SqliteWriter } from '@vigil/stores';
import { listen, request, type JsonResponse } from '../../../../test/support/http';
import { useTempDirs } from '../../../../test/support/temp-dirs';
import { createApp, type AppDependencies } from '../../src/create-app';
import { Readiness } from '../../src/readiness';
import { modelLoaded } from '../../src/readiness-checks';
import { capturingLogger } from '../support/test-app';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'artifacts');

/** A real app, listening, with the Express object itself kept for walking its router. */
export interface DocumentedApp {
  readonly app: Express;
  readonly port: number;
  request<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse<T>>;
}

export interface DocumentedAppOptions {
  /** Serve the committed model under this spec instead of its own (the document follows it; scoring is not asked for). */
  readonly spec?: ModelSpec;
  /** Mount every optional router too: drift, alerts and the queue board. */
  readonly everything?: boolean;
  readonly overrides?: Partial<AppDependencies>;
}

/**
 * Call inside a `describe`: `build(options)` gives createApp's real app over
 * the committed model and an empty SQLite file, without Redis or Postgres;
 * with `everything`, also the drift service over the committed reference, the
 * alert rules of deploy/alerts.json over a SQLite alert store, and a queue
 * inspector whose Redis client never connects (the queue board is mounted;
 * nothing here asks it for a queue). Everything closes after each test.
 */
export function useDocumentedApps() {
  const open: (() => Promise<void>)[] = [];
  let runner: ModelRunner | undefined;
  // Before useTempDirs' hook, so apps close before their files go.
  afterEach(async function () {
    for (const close of open.splice(0).reverse()) await close();
  });
  const tempDir = useTempDirs();
  after(async function () {
    await runner?.close();
  });

  async function build(options: DocumentedAppOptions = {}): Promise<DocumentedApp> {
    runner ??= await loadModel({ modelPath: join(ARTIFACTS, 'model.onnx'), specPath: join(ARTIFACTS, 'model.spec.json') });
    const model: ModelRunner = options.spec === undefined ? runner : { ...runner, spec: options.spec, version: options.spec.model_version };
    const dir = tempDir('openapi-app');
    const path = join(dir, 'monitoring.db');
    SqliteWriter.open(path).close();
    const reader = SqliteReader.open(path);
    open.push(async () => reader.close());
    const optional: Partial<AppDependencies> = {};
    if (options.everything === true) {
      const store = SqliteAlertStore.open(join(dir, 'alerts.db'));
      const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
      open.push(async () => {
        await store.close();
        redis.disconnect();
      });
      Object.assign(optional, {
        drift: createDriftService({
          settings: { driftConfigPath: join(ARTIFACTS, 'drift.config.json'), referencePath: join(ARTIFACTS, 'reference.json'), logRedactFeatures: undefined },
          spec: model.spec,
          reader,
        }),
        alerting: { rules: loadAlertRules(join(ROOT, 'deploy', 'alerts.json')), store, requestCounter: undefined, close: async () => undefined },
        queue: new QueueInspector(redis, 'vigil-openapi-test'),
      });
    }
    const app = createApp({
      model,
      predictionLogger: undefined,
      monitoring: new MonitoringService(reader),
      metrics: createApiMetrics(),
      logger: capturingLogger().logger,
      readiness: new Readiness({ model: modelLoaded }),
      bodyLimitBytes: 4096,
      maxInstancesPerRequest: 10,
      ...optional,
      ...options.overrides,
    });
    const listening = await listen(app);
    open.push(() => listening.close());
    return { app, port: listening.port, request: (method, route, body, headers) => request(listening.port, method, route, body, headers) };
  }

  return { build };
}

/** One layer of Express 5's router (the router package): a route, a nested router, a mounted app, or middleware. */
interface RouterLayer {
  readonly name: string;
  readonly rawPath?: unknown;
  readonly route?: { readonly path: unknown; readonly methods: Readonly<Record<string, boolean>> };
  readonly handle: { readonly stack?: readonly RouterLayer[] };
}

function walk(stack: readonly RouterLayer[], prefix: string, found: Set<string>): void {
  for (const layer of stack) {
    const at = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? `${prefix}${layer.rawPath}` : prefix;
    if (layer.route !== undefined) {
      const paths = Array.isArray(layer.route.path) ? (layer.route.path as unknown[]) : [layer.route.path];
      for (const path of paths) {
        for (const method of Object.keys(layer.route.methods)) found.add(`${method.toUpperCase()} ${prefix}${String(path)}`);
      }
    } else if (layer.handle.stack !== undefined) {
      walk(layer.handle.stack, at, found);
    } else if (layer.name === 'mounted_app') {
      // A whole Express app (bull-board): its page is the route it serves at its mount path.
      found.add(`GET ${at}`);
    }
  }
}

/** Every `METHOD /path` the app's router serves, with `:param` written `{param}` as OpenAPI does. */
export function servedRoutes(app: Express): Set<string> {
  const found = new Set<string>();
  walk((app as unknown as { router: { stack: readonly RouterLayer[] } }).router.stack, '', found);
  return new Set([...found].map((route) => route.replace(/:(\w+)/g, '{$1}')));
}
