import { loadConfig, type Config } from './load-config';

/**
 * The life of a Vigil process: read and check the configuration (exit 2
 * naming the bad variable), start (exit 1 with the reason), and on SIGTERM
 * or SIGINT close cleanly (exit 0) or say why not (exit 1).
 */
export async function runService(name: string, start: (config: Config) => Promise<{ close(): Promise<void> }>): Promise<void> {
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
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.close().then(
        () => process.exit(0),
        (error: Error) => fail(`unclean shutdown: ${error.message}`, 1),
      );
    });
  }
}
