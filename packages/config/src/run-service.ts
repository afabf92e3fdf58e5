import { loadConfig, type Config } from './load-config';

/** How a running service is asked to stop. */
export interface StopOptions {
  /**
   * Milliseconds to keep serving after announcing the shutdown (the API's
   * /readyz turns 503) before draining; a later call with less cuts the wait short.
   * @defaultValue 0: drain at once
   */
  readonly graceMs?: number;
}

/** What `start` returns: something that can be stopped. */
export interface StoppableService {
  close(options?: StopOptions): Promise<void>;
}

/**
 * The life of a Vigil process: read and check the configuration (exit 2
 * naming the bad variable), start (exit 1 with the reason), and close
 * cleanly (exit 0) or say why not (exit 1). SIGTERM is how an orchestrator
 * or load balancer stops a replica: the service gets SHUTDOWN_GRACE_MS to be
 * taken out of rotation while it still answers. SIGINT is a person's Ctrl-C:
 * no one routes to a terminal, so it drains at once (also during the grace).
 */
export async function runService(name: string, start: (config: Config) => Promise<StoppableService>): Promise<void> {
  const fail = (message: string, code: number): never => {
    process.stderr.write(`vigil ${name}: ${message}\n`);
    process.exit(code);
  };
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    return fail((error as Error).message, 2);
  }
  const service = await start(config).catch((error: Error) => fail(`cannot start: ${error.message}`, 1));
  const graceMs = { SIGTERM: config.shutdownGraceMs, SIGINT: 0 } as const;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.close({ graceMs: graceMs[signal] }).then(
        () => process.exit(0),
        (error: Error) => fail(`unclean shutdown: ${error.message}`, 1),
      );
    });
  }
}
