import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DeadLetterQueue } from '@vigil/queue';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import { predictionRecord } from '../support/fixtures/prediction-records';
import { testConfig } from '../support/test-env';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

interface BoardQueues {
  queues: { name: string; readOnlyMode: boolean; isPaused: boolean }[];
}

const READ_KEY = 'read-key-e2e-0123456789abcdef';
const ADMIN_KEY = 'admin-key-e2e-0123456789abcdef';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`operator:${key}`).toString('base64')}` });

describe('the read key and the admin key (MONITORING_API_KEY, ADMIN_API_KEY) on a running API', function () {
  this.timeout(60_000);
  let api: RunningApi;
  let connection: Redis;
  let dlq: DeadLetterQueue;
  let queueName: string;
  let spoolDir: string;
  const call = (method: string, path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${api.port}${path}`, { method, headers });

  before(async function () {
    spoolDir = mkdtempSync(join(tmpdir(), 'vigil-admin-key-'));
    const config = testConfig({ MONITORING_API_KEY: READ_KEY, ADMIN_API_KEY: ADMIN_KEY, SPOOL_DIR: spoolDir });
    queueName = config.queueName;
    api = await startApi(config);
    connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    dlq = new DeadLetterQueue(connection, queueName);
  });
  after(async function () {
    await dlq?.close();
    connection?.disconnect();
    await api?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('lets the read key list and show dead letters, refuses it the replay (the entry stays), and lets the admin key replay', async function () {
    const id = await dlq.add({ kind: 'rejected-records', source_job_id: undefined, reason: 'test entry', problems: [], records: [predictionRecord()] });
    for (const key of [READ_KEY, ADMIN_KEY]) {
      const list = await call('GET', '/admin/dead-letters', bearer(key));
      expect(list.status).to.equal(200);
      expect(((await list.json()) as { count: number }).count).to.equal(1);
      expect((await call('GET', `/admin/dead-letters/${id}`, bearer(key))).status).to.equal(200);
    }
    const refused = await call('POST', `/admin/dead-letters/${id}/replay`, bearer(READ_KEY));
    expect(refused.status).to.equal(401);
    expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="admin", error="insufficient_scope"');
    expect(((await refused.json()) as ErrorBody).error).to.deep.include({ code: 'UNAUTHORIZED' });
    expect(await dlq.count(), 'the refused replay changed nothing').to.equal(1);

    const replayed = await call('POST', `/admin/dead-letters/${id}/replay`, bearer(ADMIN_KEY));
    expect(replayed.status).to.equal(200);
    expect(((await replayed.json()) as { id: string; records: number }).records).to.equal(1);
    expect(await dlq.count()).to.equal(0);
  });

  it('shows the read key a board where every queue is read-only, and refuses its queue actions: the queue is not paused', async function () {
    const board = await call('GET', '/admin/queues/api/queues', basic(READ_KEY));
    expect(board.status).to.equal(200);
    const { queues } = (await board.json()) as BoardQueues;
    expect(queues.map((q) => [q.name, q.readOnlyMode]).sort()).to.deep.equal([
      [queueName, true],
      [`${queueName}-dead-letter`, true],
    ]);
    const page = await call('GET', '/admin/queues', basic(READ_KEY));
    expect(await page.text()).to.include('Vigil queues (read-only)');

    for (const [method, path] of [
      ['PUT', `/admin/queues/api/queues/${queueName}/pause`],
      ['PUT', '/admin/queues/api/queues/pause'],
      ['PUT', `/admin/queues/api/queues/${queueName}/clean/completed`],
      ['PUT', `/admin/queues/api/queues/${queueName}/retry/failed`],
    ] as const) {
      for (const headers of [basic(READ_KEY), bearer(READ_KEY)]) {
        const refused = await call(method, path, headers);
        expect(refused.status, path).to.equal(401);
        expect(((await refused.json()) as ErrorBody).error.details.reason, path).to.equal('read_only_key');
      }
    }
    const after = (await (await call('GET', '/admin/queues/api/queues', bearer(READ_KEY))).json()) as BoardQueues;
    expect(after.queues.find((q) => q.name === queueName)?.isPaused).to.equal(false);
  });

  it('shows the admin key the log queue with its actions: pause and resume work', async function () {
    const board = (await (await call('GET', '/admin/queues/api/queues', basic(ADMIN_KEY))).json()) as BoardQueues;
    expect(board.queues.find((q) => q.name === queueName)?.readOnlyMode).to.equal(false);
    expect(board.queues.find((q) => q.name === `${queueName}-dead-letter`)?.readOnlyMode).to.equal(true);
    const page = await call('GET', '/admin/queues', basic(ADMIN_KEY));
    expect(await page.text()).to.not.include('(read-only)');

    expect((await call('PUT', `/admin/queues/api/queues/${queueName}/pause`, basic(ADMIN_KEY))).status).to.equal(200);
    const paused = (await (await call('GET', '/admin/queues/api/queues', bearer(ADMIN_KEY))).json()) as BoardQueues;
    expect(paused.queues.find((q) => q.name === queueName)?.isPaused).to.equal(true);
    expect((await call('PUT', `/admin/queues/api/queues/${queueName}/resume`, bearer(ADMIN_KEY))).status).to.equal(200);
  });

  it('refuses the board without a key, with the Basic challenge a browser answers', async function () {
    const none = await call('GET', '/admin/queues');
    expect(none.status).to.equal(401);
    expect(none.headers.get('www-authenticate')).to.equal('Basic realm="vigil-monitoring", charset="UTF-8"');
    expect((await call('PUT', `/admin/queues/api/queues/${queueName}/pause`)).status).to.equal(401);
  });
});

describe('start-up with MONITORING_API_KEY and no ADMIN_API_KEY', function () {
  it('warns that the monitoring key also allows the writes, without showing it', async function () {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stderr.write;
    let api: RunningApi | undefined;
    try {
      api = await startApi(testConfig({ MONITORING_API_KEY: READ_KEY, PREDICTION_LOGGING: 'off', LOG_LEVEL: 'warn' }));
    } finally {
      process.stderr.write = write;
      await api?.close();
    }
    const warned = lines.filter((line) => line.includes('ADMIN_API_KEY is not set'));
    expect(warned, lines.join('')).to.have.length(1);
    expect(JSON.parse(warned[0]!)).to.include({ level: 'warn' });
    expect(lines.join('')).to.not.include(READ_KEY);
  });
});
