import { freePort, httpGet, NodeProcess } from './processes';
import { REDIS_URL } from './resources';

export interface Started {
  readonly process: NodeProcess;
  readonly port: number;
}

/** The real API process, exactly as production runs it; ready once /healthz answers (the model is loaded before it listens). */
export async function startApi(name: string, env: Readonly<Record<string, string>>, logPath: string): Promise<Started> {
  const port = await freePort();
  const process = NodeProcess.start(
    name,
    'apps/api/src/main.ts',
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL,
      LOG_LEVEL: 'warn',
      // No load balancer routes by /readyz here: a SIGTERM grace would only add its 5 s to every stop.
      SHUTDOWN_GRACE_MS: '0',
      ...env,
    },
    logPath,
  );
  await process.waitForHttp(port, '/healthz');
  return { process, port };
}

/** The real worker process; ready once its /metrics answers. */
export async function startWorker(name: string, env: Readonly<Record<string, string>>, logPath: string): Promise<Started> {
  const port = await freePort();
  const process = NodeProcess.start(
    name,
    'apps/worker/src/main.ts',
    {
      WORKER_METRICS_PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL,
      LOG_LEVEL: 'warn',
      ...env,
    },
    logPath,
  );
  await process.waitForHttp(port, '/metrics');
  return { process, port };
}

/** Sum of every sample of a Prometheus metric whose labels include `labels`. */
export function metricSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) sum += Number(match[3]);
  }
  return sum;
}

/** A process's /metrics text (empty when it does not answer). */
export async function scrape(port: number): Promise<string> {
  return (await httpGet(port, '/metrics'))?.text ?? '';
}
