import { execFile } from 'node:child_process';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real command line, as a user runs it (`npx tsx apps/cli/src/main.ts
 * ...`, here node with tsx's loader, which is what npx starts), from the
 * repository root, with `env` over the test process's environment.
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}, entry = 'apps/cli/src/main.ts'): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import=tsx', entry, ...args],
      { env: { ...process.env, LOG_LEVEL: 'error', ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number((error as { code?: unknown }).code ?? 1), stdout, stderr }),
    );
  });
}
