import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../support/private-redis';

const run = promisify(execFile);

/**
 * Every redis-server a topology started that still runs. mocha's --exit ends
 * the process without waiting for pending after() hooks, so they are killed
 * on exit too (as PrivateRedis does): a run leaves no server behind.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One redis-server (or sentinel) process on a loopback port, in a temp dir of its own. */
export class RedisProcess {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static spawn(port: number, args: readonly string[], cwd: string): RedisProcess {
    const child = spawn('redis-server', [...args], { cwd, stdio: 'ignore' });
    running.add(child);
    child.once('exit', () => running.delete(child));
    return new RedisProcess(port, child);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL, like a crash: nothing is saved (the servers keep nothing on disk anyway). */
  async kill(): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** Polls until `check` says yes, or throws naming `what`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One command to one node, with no retrying: a topology check asks, it does not wait. */
export async function ask(port: number, ...command: [string, ...(string | number)[]]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(...command);
  } finally {
    client.disconnect();
  }
}

const SERVER_ARGS = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'];

/** A master, one replica and three sentinels (quorum 2) watching master `name`, each on a free loopback port. */
export class SentinelGroup {
  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly servers: RedisProcess[],
    readonly sentinels: RedisProcess[],
  ) {}

  static async start(name = 'vigil-master'): Promise<SentinelGroup> {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sentinel-'));
    const masterPort = await freePort();
    const replicaPort = await freePort();
    const master = RedisProcess.spawn(masterPort, ['--port', String(masterPort), ...SERVER_ARGS], dir);
    const replica = RedisProcess.spawn(replicaPort, ['--port', String(replicaPort), ...SERVER_ARGS, '--replicaof', '127.0.0.1', String(masterPort)], dir);
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // A sentinel rewrites its config file (what it learned): each has its own, writable.
      const file = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(RedisProcess.spawn(port, [file, '--sentinel'], dir));
    }
    const group = new SentinelGroup(name, dir, [master, replica], sentinels);
    await until('the replica in sync', async () => String(await ask(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'));
    // Every sentinel must know the replica before a failover can promote it.
    for (const sentinel of sentinels) {
      await until(`sentinel ${sentinel.port} seeing the replica and its peers`, async () => {
        const replicas = (await ask(sentinel.port, 'SENTINEL', 'REPLICAS', name)) as unknown[];
        const peers = (await ask(sentinel.port, 'SENTINEL', 'SENTINELS', name)) as unknown[];
        return replicas.length === 1 && peers.length === 2;
      });
    }
    return group;
  }

  get url(): string {
    return `redis-sentinel://${this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${this.name}`;
  }

  /** The port of the server the sentinels currently call master. */
  async masterPort(): Promise<number> {
    const [, port] = (await ask(this.sentinels[0]!.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as [string, string];
    return Number(port);
  }

  server(port: number): RedisProcess {
    const found = this.servers.find((s) => s.port === port);
    if (found === undefined) throw new Error(`no server of the group on ${port}`);
    return found;
  }

  async stop(): Promise<void> {
    for (const process of [...this.sentinels, ...this.servers]) await process.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Redis Cluster of 3 masters, each with one replica, on free loopback ports. */
export class RedisCluster {
  private constructor(
    readonly dir: string,
    readonly nodes: RedisProcess[],
  ) {}

  static async start(): Promise<RedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cluster-'));
    const nodes: RedisProcess[] = [];
    for (let i = 0; i < 6; i++) {
      const port = await freePort();
      nodes.push(
        RedisProcess.spawn(
          port,
          // A short node timeout: a dead master is failed over in about two seconds, not fifteen.
          ['--port', String(port), ...SERVER_ARGS, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '1500'],
          dir,
        ),
      );
    }
    for (const node of nodes) await until(`node ${node.port} up`, async () => (await ask(node.port, 'PING')) === 'PONG');
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 60_000,
    });
    const cluster = new RedisCluster(dir, nodes);
    await cluster.waitHealthy();
    // A master dies safely only once its replica has its data: every replica linked and in sync.
    for (const node of nodes) {
      await until(`node ${node.port} a master or a synced replica`, async () => {
        const info = String(await ask(node.port, 'INFO', 'replication'));
        return info.includes('role:master') || info.includes('master_link_status:up');
      });
    }
    await until('3 replicas known to the cluster', async () => (String(await ask(nodes[0]!.port, 'CLUSTER', 'NODES')).match(/ slave /g) ?? []).length === 3);
    return cluster;
  }

  get url(): string {
    return `redis-cluster://${this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }

  /** Until every live node says cluster_state:ok and 3 masters serve all slots. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    for (const node of this.nodes.filter((n) => n.alive)) {
      await until(`node ${node.port} cluster_state:ok`, async () => String(await ask(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), timeoutMs);
    }
  }

  /** Until a live node other than `dead` serves `key`'s slot and the cluster is whole again (a replica was promoted). */
  async waitFailover(key: string, dead: number, timeoutMs = 60_000): Promise<void> {
    await until(`a replica promoted in place of ${dead}`, async () => (await this.masterOf(key)) !== dead, timeoutMs).catch(async (error: Error) => {
      const live = this.nodes.find((n) => n.alive)!;
      throw new Error(`${error.message}\n${String(await ask(live.port, 'CLUSTER', 'NODES'))}`);
    });
    await this.waitHealthy(timeoutMs);
  }

  /** The hash slot of `key` (CLUSTER KEYSLOT). */
  async slotOf(key: string): Promise<number> {
    const live = this.nodes.find((n) => n.alive)!;
    return Number(await ask(live.port, 'CLUSTER', 'KEYSLOT', key));
  }

  /** The port of the live master serving `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const live = this.nodes.find((n) => n.alive)!;
    const slot = await this.slotOf(key);
    const shards = (await ask(live.port, 'CLUSTER', 'SLOTS')) as [number, number, [string, number, ...unknown[]], ...unknown[]][];
    const shard = shards.find(([from, to]) => slot >= from && slot <= to);
    if (shard === undefined) throw new Error(`no master serves slot ${slot}`);
    return Number(shard[2][1]);
  }

  node(port: number): RedisProcess {
    const found = this.nodes.find((n) => n.port === port);
    if (found === undefined) throw new Error(`no cluster node on ${port}`);
    return found;
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) await node.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
