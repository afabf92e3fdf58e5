import { loadConfig, type Config } from '@vigil/config';
import type { ProgressStream } from '@vigil/progress';
import { EXIT, UsageError } from './exit-codes';

/** Where a command writes. */
export interface CliIo {
  /** What a script reads: reports, JSON, the outcome of each step. */
  readonly stdout: ProgressStream;
  /** Usage errors and help after them, and the progress display (a bar on a terminal, plain lines otherwise). */
  readonly stderr: ProgressStream;
}

/** What every command's action gets. */
export interface CliContext extends CliIo {
  /** One line on stdout. */
  out(line: string): void;
  /** The validated environment (REDIS_URL, QUEUE_NAME, SQLITE_PATH, ...), read on first use so --help needs none of it. */
  config(): Config;
  /**
   * A commander action from a handler that returns the exit code: the code is
   * kept for runCli, and a UsageError (a refused environment variable) becomes
   * its message on stderr and exit 2.
   */
  action<A extends unknown[]>(handler: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
  /** The exit code of the action that ran; undefined when none did (help, a usage error). */
  readonly exitCode: number | undefined;
}

export function createCliContext(io: CliIo, env: NodeJS.ProcessEnv = process.env): CliContext {
  let config: Config | undefined;
  let exitCode: number | undefined;
  return {
    ...io,
    out: (line) => io.stdout.write(line + '\n'),
    config() {
      if (config !== undefined) return config;
      try {
        config = loadConfig(env);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      return config;
    },
    action(handler) {
      return async (...args) => {
        try {
          exitCode = await handler(...args);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          io.stderr.write(`vigil: ${error.message}\n`);
          exitCode = EXIT.usage;
        }
      };
    },
    get exitCode() {
      return exitCode;
    },
  };
}
