import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';

/** A process a test started, with everything it printed. */
export interface Started {
  readonly child: ChildProcess;
  output(): string;
  /** Sends the signal and resolves to the exit code (null if a signal ended it). */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();
// mocha --exit skips pending after() hooks: no process outlives the run.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function start(command: string, args: readonly string[], options: SpawnOptions): Started {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => {
    running.delete(child);
    return code as number | null;
  });
  return {
    child,
    output: () => output,
    async stop(signal, timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs to the end; its exit code and output. */
export async function run(command: string, args: readonly string[], options: SpawnOptions): Promise<{ code: number | null; output: string }> {
  const started = start(command, args, options);
  // 'close', not 'exit': by then everything it printed has been read.
  const [code] = (await once(started.child, 'close')) as [number | null];
  return { code, output: started.output() };
}
