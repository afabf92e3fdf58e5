import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { FeatureRecord } from '@vigil/model';

/** Rows of the training reference sample shipped in artifacts/: realistic, valid instances. */
export function referenceRows(): FeatureRecord[] {
  return (JSON.parse(readFileSync('artifacts/reference.json', 'utf8')) as { rows: FeatureRecord[] }).rows;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly durationSeconds: number;
  /** Every 2xx answer's latency in ms (sub-ms resolution), when asked for. */
  readonly latenciesMs?: number[];
}

export interface AutocannonOptions {
  readonly url: string;
  readonly body: string;
  readonly connections: number;
  /** Seconds; ignored when `amount` is given. */
  readonly duration?: number;
  /** Requests to send, then stop. */
  readonly amount?: number;
  /** Keep every 2xx latency (to merge runs into one distribution). */
  readonly keepLatencies?: boolean;
}

/** One autocannon run of POST requests with a JSON body; throughput counts 2xx answers only. */
export async function runAutocannon(options: AutocannonOptions): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const instance = autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 10 }),
    timeout: 30,
  });
  if (options.keepLatencies) {
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
      if (status >= 200 && status < 300) latenciesMs.push(responseTimeMs);
    });
  }
  const result = await instance;
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    durationSeconds: result.duration,
    ...(options.keepLatencies ? { latenciesMs } : {}),
  };
}

/** Absolute time in ms with sub-ms resolution, comparable across threads of this process. */
export function absoluteNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface PacedResult {
  /** prediction_id → absolute time its 200 was read. */
  readonly answeredAt: Map<string, number>;
  /** prediction_id → absolute time its request was started. */
  readonly sentAt: Map<string, number>;
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly achievedRate: number;
  readonly latenciesMs: number[];
}

/**
 * An open-loop load generator: starts requests at an even pace (`rate` a
 * second), whatever the server's answers, for `durationMs`. autocannon's
 * overallRate sends each connection's quota at the start of every second,
 * which is bursts, not a rate; this spreads them evenly.
 */
export async function runPaced(options: { url: string; bodies: readonly string[]; rate: number; durationMs: number }): Promise<PacedResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const answeredAt = new Map<string, number>();
  const sentAt = new Map<string, number>();
  const latenciesMs: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();

  function send(body: string): Promise<void> {
    const started = performance.now();
    const startedAt = absoluteNow();
    return new Promise<void>((resolve) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          timeout: 30_000,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const at = absoluteNow();
            const id = res.statusCode === 200 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { prediction_id?: unknown }).prediction_id : undefined;
            if (typeof id === 'string') {
              answeredAt.set(id, at);
              sentAt.set(id, startedAt);
              latenciesMs.push(performance.now() - started);
              ok += 1;
            } else failed += 1;
            resolve();
          });
          res.on('error', () => {
            failed += 1;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      req.end(body);
    });
  }

  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(Math.floor((elapsed / 1000) * options.rate), Math.floor((options.durationMs / 1000) * options.rate));
      while (sent < due) {
        const body = options.bodies[sent % options.bodies.length] as string;
        sent += 1;
        const p = send(body).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (elapsed >= options.durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  const achievedRate = sent / ((performance.now() - started) / 1000);
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  agent.destroy();
  return { answeredAt, sentAt, sent, ok, failed, achievedRate, latenciesMs };
}
