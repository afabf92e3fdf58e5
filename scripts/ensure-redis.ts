import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';

/** True when something answers PING at the URL within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Starts a private redis-server for REDIS_URL's port with its data under
 * artifacts/redis: AOF on (fsync every second) so queued log batches survive
 * a restart, and noeviction so Redis refuses writes rather than dropping jobs.
 */
export function startPrivateRedis(url: string, dataDir = resolve('artifacts/redis')): ChildProcess | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const binary = found.stdout.trim();
  if (found.status !== 0 || binary === '') return undefined;
  const { hostname, port } = new URL(url);
  mkdirSync(dataDir, { recursive: true });
  return spawn(
    binary,
    [
      '--port',
      port || '6379',
      '--bind',
      hostname || '127.0.0.1',
      '--dir',
      dataDir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
