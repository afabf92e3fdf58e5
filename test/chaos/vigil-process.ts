import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { request } from 'node:http';
import { VARIABLES } from '@vigil/config';

export type Role = 'api' | 'worker';

/** Options for one {@link VigilProcess.start}. */
export interface StartOptions {
  /** Run this start under another hostname (a UTS namespace of its own); the next start without it is back on the machine's. */
  readonly hostname?: string;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** GET on loopback; resolves with the status, or undefined when nothing answers. */
export function httpStatus(port: number, path: string, timeoutMs = 2000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** GET on loopback returning the body text, or undefined. */
export function httpText(port: number, path: string, timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks).toString('utf8') : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** The environment of the test process without any Vigil setting, so nothing from the shell leaks into the processes under test. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const definition of Object.values(VARIABLES)) delete env[definition.name];
  return env;
}

/**
 * One API or worker process, run exactly as in production
 * (`node --import tsx apps/<role>/src/main.ts`), its stderr and stdout
 * appended to a log file. It can be started again after it exits.
 */
export class VigilProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<Exit> | undefined;
  /** Every exit so far, in order. */
  readonly exits: Exit[] = [];
  /** Exits the test did not cause (a crash), with the time they happened. */
  readonly crashes: (Exit & { readonly at: Date })[] = [];
  /** Called when the process exits without having been signalled by the test. */
  onCrash: ((exit: Exit) => void) | undefined;
  starts = 0;
  /** Where each start's output begins in the log file (bytes): a log line at offset x is from start n, the last with logOffsets[n - 1] <= x. */
  readonly logOffsets: number[] = [];
  private signalled = false;
  private spawnError: Error | undefined;

  constructor(
    readonly name: string,
    readonly role: Role,
    private readonly env: Readonly<Record<string, string>>,
    /** API: its PORT; worker: its WORKER_METRICS_PORT. */
    readonly port: number,
    readonly logPath: string,
    private readonly cwd: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts the process. With `hostname`, it runs in a UTS namespace of its own under that hostname
   * (`unshare --uts`, which needs root), as a container recreated under another name would: the shell
   * sets the name and then execs node, so the child's pid is node's. Without it, under the machine's.
   */
  start(options: StartOptions = {}): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const { hostname } = options;
    if (hostname !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(hostname)) throw new Error(`${this.name}: "${hostname}" is not a plain hostname`);
    const node = [process.execPath, '--import', 'tsx', `apps/${this.role}/src/main.ts`];
    const [command, ...args] = hostname === undefined ? node : ['unshare', '--uts', 'sh', '-c', `hostname ${hostname} && exec "$0" "$@"`, ...node];
    const log = openSync(this.logPath, 'a');
    this.logOffsets.push(fstatSync(log).size);
    const child = spawn(command as string, args, {
      cwd: this.cwd,
      // A short SIGTERM grace (default 5 s): nothing routes by /readyz here, and the run's SIGTERMs must stay well inside EXIT_TIMEOUT_MS.
      env: { ...baseEnv(), SHUTDOWN_GRACE_MS: '500', ...this.env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    this.starts += 1;
    this.spawnError = undefined;
    // A command that cannot be started (no `unshare` on this machine) must fail the test, not crash its process.
    child.once('error', (error) => (this.spawnError = error));
    this.signalled = false;
    this.exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = { code, signal };
        this.exits.push(exit);
        if (!this.signalled) {
          this.crashes.push({ ...exit, at: new Date() });
          this.onCrash?.(exit);
        }
        resolve(exit);
      });
    });
  }

  /**
   * Ready: /readyz answers 200. An API: model loaded, journal writable and not full (Redis may be down: it is then
   * `degraded`, still 200). A worker, on its WORKER_METRICS_PORT: SQLite open and Redis answers.
   */
  async ready(): Promise<boolean> {
    if (this.spawnError !== undefined) throw new Error(`${this.name} could not be started: ${this.spawnError.message}`);
    if (!this.running) throw new Error(`${this.name} exited (${JSON.stringify(this.exits.at(-1))}); see ${this.logPath}`);
    return (await httpStatus(this.port, '/readyz')) === 200;
  }

  /** Sends a signal and resolves with the exit, or rejects after timeoutMs. */
  async signal(signal: 'SIGTERM' | 'SIGKILL', timeoutMs: number): Promise<Exit> {
    const child = this.child;
    if (child === undefined) throw new Error(`${this.name} was never started`);
    if (this.running) {
      this.signalled = true;
      child.kill(signal);
    }
    return this.waitForExit(timeoutMs, signal);
  }

  /** Resolves with the exit, or rejects after timeoutMs (sends nothing: a second SIGTERM would kill the process mid-shutdown). */
  async waitForExit(timeoutMs: number, signal = 'its start'): Promise<Exit> {
    const exited = this.exited;
    if (exited === undefined) throw new Error(`${this.name} was never started`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}; see ${this.logPath}`)), timeoutMs);
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** For clean-up: kills the process if it still runs. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    this.signalled = true;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
