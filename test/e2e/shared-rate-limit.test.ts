import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { queueNames } from '@vigil/queue';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import { useTestApps, type ErrorBody, type TestApp } from '../../apps/api/test/support/test-app';
import { freePort } from '../support/private-redis';
import { TcpProxy } from '../support/tcp-proxy';
import { REDIS_URL, testConfig, testQueueNames, waitFor } from '../support/test-env';

/** A client as start-api builds it: no offline queue, so a command never waits for a reconnect. */
function apiRedis(url: string): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  return redis;
}

/** A queue name of the test's own (its rate-limit keys are removed after the run with the others). */
function ownName(): string {
  const name = `test-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  testQueueNames.add(name);
  return name;
}

async function removeKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * A loopback TCP hop in front of Redis that can stall: from then on nothing
 * the client sends reaches Redis, and the connection stays open, as with a
 * Redis that hangs or a network that drops packets without a reset.
 */
class StallingHop {
  private stalled = false;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(
    readonly port: number,
    targetPort: number,
  ) {
    this.server = createServer((client) => {
      const upstream = createConnection(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => socket.destroy());
      }
      client.on('data', (chunk: Buffer) => {
        if (!this.stalled) upstream.write(chunk);
      });
      upstream.pipe(client);
    });
  }

  static async start(targetPort: number): Promise<StallingHop> {
    const hop = new StallingHop(await freePort(), targetPort);
    hop.server.listen(hop.port, '127.0.0.1');
    await once(hop.server, 'listening');
    return hop;
  }

  stall(): void {
    this.stalled = true;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const redisPort = Number(new URL(REDIS_URL).port || 6379);

describe('rate limit shared by the replicas through Redis', function () {
  this.timeout(30_000);

  describe('two apps (createApp) on one Redis', function () {
    const apps = useTestApps();
    const prefixes: string[] = [];
    const clients: Redis[] = [];
    after(async function () {
      for (const client of clients) client.disconnect();
      for (const prefix of prefixes) await removeKeys(prefix);
    });

    /** An app whose limit counts in Redis through `redis`, under the key prefix of `name`. */
    async function appOn(redis: Redis, name: string, perMinute: number): Promise<TestApp> {
      const keyPrefix = queueNames(name).rateLimitPrefix;
      if (!prefixes.includes(keyPrefix)) prefixes.push(keyPrefix);
      return apps.api({ security: { rateLimitPerMinute: perMinute }, sharedRateLimit: { redis, keyPrefix } });
    }

    async function connected(url: string): Promise<Redis> {
      const redis = apiRedis(url);
      clients.push(redis);
      await waitFor('Redis ready', () => (redis.status === 'ready' ? true : undefined));
      return redis;
    }

    it('gives a client one budget across both: over the limit on A, it is limited on B', async function () {
      const name = ownName();
      const [a, b] = [await appOn(await connected(REDIS_URL), name, 4), await appOn(await connected(REDIS_URL), name, 4)];
      expect((await a.request('GET', '/model')).status).to.equal(200);
      expect((await b.request('GET', '/model')).status).to.equal(200);
      expect((await a.request('GET', '/model')).status).to.equal(200);
      expect((await a.request('GET', '/model')).status).to.equal(200);
      // Four spent, two on each: the fifth is refused wherever it goes.
      for (const app of [b, a]) {
        const refused = await app.request<ErrorBody>('GET', '/model');
        expect(refused.status).to.equal(429);
        expect(refused.body.error.code).to.equal('RATE_LIMITED');
        expect(Number(refused.headers.get('retry-after'))).to.be.within(59, 60);
      }
      expect((await b.request('GET', '/healthz')).status, 'probes are never limited').to.equal(200);
      // The count is Redis's: one key for this client under the queue's prefix.
      const redis = await connected(REDIS_URL);
      expect(await redis.get(`${queueNames(name).rateLimitPrefix}:127.0.0.1`)).to.equal('6');
    });

    it('keeps deployments apart: another QUEUE_NAME has budgets of its own', async function () {
      const redis = await connected(REDIS_URL);
      const one = await appOn(redis, ownName(), 1);
      const other = await appOn(redis, ownName(), 1);
      expect((await one.request('GET', '/model')).status).to.equal(200);
      expect((await one.request('GET', '/model')).status).to.equal(429);
      expect((await other.request('GET', '/model')).status).to.equal(200);
    });

    it('counts in each process while Redis is down, and shares again once it is back', async function () {
      const name = ownName();
      const proxy = await TcpProxy.start(redisPort);
      try {
        const url = `redis://127.0.0.1:${proxy.port}`;
        const [a, b] = [await appOn(await connected(url), name, 2), await appOn(await connected(url), name, 2)];
        await proxy.down();
        // Each replica has its own local window now: two each, and the third on either is refused.
        for (const app of [a, b]) {
          expect((await app.request('GET', '/model')).status).to.equal(200);
          expect((await app.request('GET', '/model')).status).to.equal(200);
          expect((await app.request<ErrorBody>('GET', '/model')).status).to.equal(429);
        }
        await proxy.up();
        const redis = clients.at(-1)!;
        await waitFor('the client reconnected', () => (redis.status === 'ready' && clients.at(-2)!.status === 'ready' ? true : undefined));
        // Redis counted nothing during the outage: the shared budget is whole again.
        const other = await appOn(await connected(url), name, 2);
        expect((await other.request('GET', '/model')).status).to.equal(200);
        expect(await redis.get(`${queueNames(name).rateLimitPrefix}:127.0.0.1`)).to.equal('1');
      } finally {
        await proxy.down();
      }
    });

    it('does not wait for a Redis that stops answering: after 100 ms the local window decides, and still limits', async function () {
      const name = ownName();
      const hop = await StallingHop.start(redisPort);
      try {
        const app = await appOn(await connected(`redis://127.0.0.1:${hop.port}`), name, 3);
        expect((await app.request('GET', '/model')).status, 'through Redis').to.equal(200);
        hop.stall();
        const timings: number[] = [];
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
          const started = performance.now();
          statuses.push((await app.request('GET', '/model')).status);
          timings.push(performance.now() - started);
        }
        // The local window had not counted the first request (Redis had): three more pass, then it refuses.
        expect(statuses).to.deep.equal([200, 200, 200]);
        const started = performance.now();
        expect((await app.request('GET', '/model')).status).to.equal(429);
        timings.push(performance.now() - started);
        for (const ms of timings) expect(ms).to.be.within(95, 1000);
      } finally {
        await hop.close();
      }
    });
  });

  describe('two started APIs (TRUST_PROXY=1, behind one load balancer)', function () {
    const apis: RunningApi[] = [];
    const dirs: string[] = [];
    let name: string;
    before(async function () {
      const first = testConfig({ RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1' });
      name = first.queueName;
      for (let i = 0; i < 2; i++) {
        // Two replicas on one queue; each its own spool, as if on its own host.
        const dir = mkdtempSync(join(tmpdir(), 'vigil-rate-limit-'));
        dirs.push(dir);
        apis.push(await startApi(testConfig({ RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1', QUEUE_NAME: name, SPOOL_DIR: join(dir, 'spool') })));
      }
    });
    after(async function () {
      for (const api of apis) await api.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await removeKeys(queueNames(name).rateLimitPrefix);
    });

    const get = (api: RunningApi, client: string) => fetch(`http://127.0.0.1:${api.port}/model`, { headers: { 'x-forwarded-for': client } });

    it('limits a forwarded client on B once it spent its minute on A, and not its neighbour', async function () {
      const [a, b] = apis as [RunningApi, RunningApi];
      for (let i = 0; i < 3; i++) expect((await get(a, '203.0.113.7')).status).to.equal(200);
      const refused = await get(b, '203.0.113.7');
      expect(refused.status).to.equal(429);
      expect(((await refused.json()) as ErrorBody).error.code).to.equal('RATE_LIMITED');
      expect((await get(b, '203.0.113.8')).status).to.equal(200);
      expect((await get(a, '203.0.113.8')).status).to.equal(200);
    });
  });
});
