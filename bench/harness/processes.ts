import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { VARIABLES } from '@vigil/config';

/** A port nothing listens on right now (the OS picks it; it is released before we return). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The shell's environment without any Vigil setting, so nothing leaks into the processes under test. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const definition of Object.values(VARIABLES)) delete env[definition.name];
  return env;
}

/** GET on loopback; the status and body, or undefined when nothing answers. */
export function httpGet(port: number, path: string, timeoutMs = 5000): Promise<{ status: number; text: string } | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Every child process still running, so an interrupted run can stop them (see bench/run.ts). */
export const liveProcesses = new Set<NodeProcess>();

/** A node process of ours (`node --import tsx <script>`), its output appended to a log file. */
export class NodeProcess {
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly logPath: string,
    child: ChildProcess,
  ) {
    this.child = child;
    liveProcesses.add(this);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        liveProcesses.delete(this);
        resolve(code);
      }),
    );
  }

  static start(
    name: string,
    script: string,
    env: Readonly<Record<string, string>>,
    logPath: string,
    nodeArgs: readonly string[] = [],
    scriptArgs: readonly string[] = [],
  ): NodeProcess {
    const log = openSync(logPath, 'a');
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...scriptArgs], {
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    return new NodeProcess(name, logPath, child);
  }

  get pid(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error(`${this.name} did not start; see ${this.logPath}`);
    return pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  rssMb(): number | undefined {
    return this.running ? rssMb(this.pid) : undefined;
  }

  cpuSeconds(): number | undefined {
    return this.running ? cpuSeconds(this.pid) : undefined;
  }

  /** Polls `port` + `path` until it answers 200, or throws (with the log's tail) after timeoutMs. */
  async waitForHttp(port: number, path: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.logTail()}`);
      if ((await httpGet(port, path, 1000))?.status === 200) return;
      await sleep(100);
    }
    throw new Error(`${this.name} not ready on :${port}${path} after ${timeoutMs} ms:\n${this.logTail()}`);
  }

  logTail(): string {
    try {
      return readFileSync(this.logPath, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after timeoutMs. Only ever signals our own child. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(timeoutMs).then(() => true)]);
    if (timedOut && this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** Samples a process's RSS every intervalMs until stopped. */
export class RssSampler {
  readonly samples: { atMs: number; mb: number }[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly origin = performance.now();

  constructor(
    private readonly process: NodeProcess,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): number | undefined {
    const mb = this.process.rssMb();
    if (mb !== undefined) this.samples.push({ atMs: Math.round(performance.now() - this.origin), mb: Number(mb.toFixed(1)) });
    return mb;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  get peak(): number {
    return Math.max(...this.samples.map((s) => s.mb));
  }
}
