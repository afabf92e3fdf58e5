import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** The slice of a prom-client Registry this server uses (the worker's metrics registry). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** A named check /readyz runs: true when that dependency answers. It may throw or hang: that counts as down. */
export type WorkerCheck = () => boolean | Promise<boolean>;

export interface HealthServerOptions {
  readonly port: number;
  readonly host: string;
  readonly registry: MetricsSource;
  readonly checks: Readonly<Record<string, WorkerCheck>>;
  /** True once the worker has begun to stop: /readyz then answers 503 `shutting_down`. */
  readonly shuttingDown: () => boolean;
  /** @defaultValue 1000: an orchestrator gives a probe about a second */
  readonly checkTimeoutMs?: number;
}

export interface HealthServer {
  /** The port it listens on (the real one when asked for 0). */
  readonly port: number;
  close(): Promise<void>;
}

export interface WorkerReadiness {
  readonly status: 'ready' | 'not_ready' | 'shutting_down';
  readonly checks: Readonly<Record<string, 'ok' | 'down' | 'timeout'>>;
}

async function runCheck(check: WorkerCheck, timeoutMs: number): Promise<'ok' | 'down' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const answered = Promise.resolve()
      .then(check)
      .then((up) => (up ? 'ok' : 'down'));
    return await Promise.race([answered, timeout]);
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once; ready only when all are ok and the worker is not stopping. */
export async function workerReadiness(options: Pick<HealthServerOptions, 'checks' | 'shuttingDown' | 'checkTimeoutMs'>): Promise<WorkerReadiness> {
  const timeoutMs = options.checkTimeoutMs ?? 1000;
  const entries = await Promise.all(Object.entries(options.checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const));
  const checks = Object.fromEntries(entries);
  const status = options.shuttingDown() ? 'shutting_down' : entries.every(([, state]) => state === 'ok') ? 'ready' : 'not_ready';
  return { status, checks };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, code: string, message: string, details: Record<string, unknown>): void {
  json(res, status, { error: { code, message, details } });
}

/**
 * The worker's own small HTTP server: /metrics for Prometheus, /healthz
 * (liveness: 200 while the process runs) and /readyz (200 when its SQLite
 * answers and Redis answers, 503 otherwise, naming each check). A worker
 * takes no traffic, so readiness here is for an orchestrator's rollout and
 * alerting, not for routing.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') return error(res, 404, 'NOT_FOUND', 'No such route', { path });
    if (req.method !== 'GET' && req.method !== 'HEAD') return error(res, 405, 'METHOD_NOT_ALLOWED', `${path} takes GET`, { method: req.method });
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const readiness = await workerReadiness(options);
      return json(res, readiness.status === 'ready' ? 200 : 503, readiness);
    }
    const text = await options.registry.metrics();
    res.writeHead(200, { 'content-type': options.registry.contentType }).end(text);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((failure: Error) => {
      if (!res.headersSent) error(res, 500, 'INTERNAL', 'Internal error', {});
      else res.destroy(failure);
    });
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A scraper's keep-alive connection must not hold the worker's exit.
      server.closeAllConnections();
      await closed;
    },
  };
}
