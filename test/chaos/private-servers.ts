import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Polls `check` until it returns true, or throws after timeoutMs; a throw from `check` ends the wait at once. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A redis-server of the test's own, on a spare port, with its data in the
 * test's directory, so stopping it touches nothing else on the machine.
 *
 * Durability a restart relies on: the queue's jobs live only in Redis. With
 * `--save ''` and no AOF (what test/support/private-redis.ts runs), a restart
 * comes back empty and every batch queued but not yet taken by a worker is
 * lost, although the API was told it was enqueued. Here the append-only file
 * is on and fsynced on every write (`appendfsync always`): Redis writes and
 * fsyncs the AOF before it sends the reply, so every write the API or a worker
 * saw acknowledged (a job added, a job moved to completed, a lock taken) is
 * on disk and replayed when the server starts again, whether it was stopped
 * with SIGTERM (shutdown also flushes the AOF) or killed outright with SIGKILL.
 * A write whose reply never arrived may or may not be there: the API then
 * spools the batch and re-adds it under the same job id, which is a no-op if
 * the first add made it. Our claim is no loss *with a durable Redis*.
 */
export class DurableRedis {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly logPath: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const log = openSync(this.logPath, 'a');
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const child = this.child;
    await until(
      `redis-server on ${this.port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}; see ${this.logPath}`);
        return (await this.ping()) === 'PONG';
      },
      30_000,
    );
  }

  async ping(): Promise<string | undefined> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.ping();
    } catch {
      return undefined;
    } finally {
      client.disconnect();
    }
  }

  /** SIGTERM: Redis flushes the AOF and exits. SIGKILL: a crash; `appendfsync always` still keeps every acknowledged write. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
    this.child = undefined;
  }
}

async function runAsPostgres(binary: string, args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, binary), ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * A PostgreSQL 15 cluster of the test's own on a spare port. We run as root
 * and postgres refuses root, so the data directory belongs to the `postgres`
 * OS user and every binary runs through `runuser -u postgres`. Trust auth on
 * 127.0.0.1 only; fsync off, since durability across a power cut is not what
 * this test is about (a `pg_ctl stop -m fast` is a clean shutdown and keeps every row).
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private get socketDir(): string {
    return join(this.dir, 'socket');
  }

  private get logPath(): string {
    return join(this.dir, 'postgres.log');
  }

  /** The parent of `dir` must be traversable by the postgres user. */
  static async create(dir: string, port: number): Promise<PrivatePostgres> {
    await run('id', ['postgres']).catch(() => {
      throw new Error('the chaos test needs the `postgres` OS user (the PostgreSQL 15 packages create it)');
    });
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    const server = new PrivatePostgres(port, dir);
    for (const path of [dir, server.dataDir, server.socketDir]) {
      mkdirSync(path, { recursive: true, mode: 0o700 });
      chownSync(path, Number(stdout.trim()), Number(gid.trim()));
    }
    await runAsPostgres('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], dir);
    return server;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = [
      '-c listen_addresses=127.0.0.1',
      `-p ${this.port}`,
      `-k ${this.socketDir}`,
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c synchronous_commit=off',
      '-c max_connections=100',
    ].join(' ');
    await runAsPostgres('pg_ctl', ['-D', this.dataDir, '-l', this.logPath, '-w', '-t', '60', '-o', options, 'start'], this.dir);
    await until(`postgres on ${this.port}`, () => this.answers(), 30_000, 100);
  }

  async answers(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** `fast` disconnects every client and shuts down cleanly; `immediate` is for clean-up. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await runAsPostgres('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop'], this.dir);
  }

  async stopIfRunning(): Promise<void> {
    try {
      await runAsPostgres('pg_ctl', ['-D', this.dataDir, 'status'], this.dir);
    } catch {
      return; // not running (status exits 3) or no data dir
    }
    await this.stop('immediate').catch(() => undefined);
  }

  async query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }
}
