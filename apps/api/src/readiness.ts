/**
 * How bad one dependency's state is for this replica:
 * - `ok`: as it should be;
 * - `degraded`: away, but the replica still serves and keeps every record (Redis down while the journal takes the records);
 * - `failed`: the replica cannot serve, or cannot keep what it serves; an orchestrator should route elsewhere.
 */
export type CheckLevel = 'ok' | 'degraded' | 'failed';

/** What one check found: its level, and the word /readyz shows for it (`ok`, `down`, `full`…). */
export interface CheckResult {
  readonly level: CheckLevel;
  readonly state: string;
}

/** A named check /readyz runs. It may throw or hang: that counts as failed (`error`, `timeout`). */
export type ReadinessCheck = () => CheckResult | Promise<CheckResult>;

export type ReadinessStatus = 'ready' | 'degraded' | 'not_ready' | 'shutting_down';

/** The /readyz answer: `ready` is the status code's meaning (200 or 503). */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: ReadinessStatus;
  readonly checks: Readonly<Record<string, string>>;
}

export const CHECK_OK: CheckResult = Object.freeze({ level: 'ok', state: 'ok' });

/**
 * A probe is answered within this: orchestrators give a probe about a second,
 * and a check that has not answered by then is as good as failed.
 */
const CHECK_TIMEOUT_MS = 1000;

function timedOut(ms: number): { promise: Promise<CheckResult>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ level: 'failed', state: 'timeout' }), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function run(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const timeout = timedOut(timeoutMs);
  try {
    return await Promise.race([Promise.resolve().then(check), timeout.promise]);
  } catch {
    return { level: 'failed', state: 'error' };
  } finally {
    timeout.cancel();
  }
}

/**
 * The replica's readiness: its checks, and whether it is shutting down.
 * Ready (200) unless a check failed or shutdown has begun; a degraded
 * dependency is named in the answer but keeps the replica in service,
 * since pulling every replica out for a Redis blip would stop the
 * predictions that the journal would have kept.
 */
export class Readiness {
  private shutdownBegun = false;

  constructor(
    private readonly checks: Readonly<Record<string, ReadinessCheck>>,
    private readonly timeoutMs = CHECK_TIMEOUT_MS,
  ) {}

  /** From now on /readyz answers 503 `shutting_down`, so load balancers stop routing here while requests are still served. */
  beginShutdown(): void {
    this.shutdownBegun = true;
  }

  get shuttingDown(): boolean {
    return this.shutdownBegun;
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(Object.entries(this.checks).map(async ([name, check]) => [name, await run(check, this.timeoutMs)] as const));
    const checks = Object.fromEntries(entries.map(([name, result]) => [name, result.state]));
    const levels = new Set(entries.map(([, result]) => result.level));
    const status: ReadinessStatus = this.shutdownBegun ? 'shutting_down' : levels.has('failed') ? 'not_ready' : levels.has('degraded') ? 'degraded' : 'ready';
    return { ready: status === 'ready' || status === 'degraded', status, checks };
  }
}
