import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { VARIABLES } from '@vigil/config';
import { queueNames } from '@vigil/queue';
import { SqliteWriter } from '@vigil/stores';
import { request } from '../support/http';
import { freePort } from '../support/private-redis';
import { useTempDirs } from '../support/temp-dirs';
import { REDIS_URL, referenceInstances, testQueueNames, waitFor } from '../support/test-env';

interface Readyz {
  status: string;
  checks: Record<string, string>;
}

interface RunningProcess {
  readonly port: number;
  readonly queueName: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly output: () => string;
  signal(signal: 'SIGTERM' | 'SIGINT'): void;
}

/** How long a test waits for an exit it expects before failing. */
const EXIT_WITHIN_MS = 20_000;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The real API process, as `npm run start:api` runs it, so the signals go through runService.
describe('API shutdown: SIGTERM leaves the rotation and keeps serving for SHUTDOWN_GRACE_MS; SIGINT drains at once', function () {
  this.timeout(90_000);
  const children: ChildProcess[] = [];
  // Registered before useTempDirs' hook, so a process left running is gone before its files.
  afterEach(function () {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const tempDir = useTempDirs();

  async function startApiProcess(graceMs: number): Promise<RunningProcess> {
    const dir = tempDir('shutdown');
    const sqlitePath = join(dir, 'monitoring.db');
    SqliteWriter.open(sqlitePath).close(); // the schema, as a worker leaves it
    const queueName = `test-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    testQueueNames.add(queueName);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const definition of Object.values(VARIABLES)) delete env[definition.name];
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
      env: {
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL,
        QUEUE_NAME: queueName,
        SQLITE_PATH: sqlitePath,
        SPOOL_DIR: join(dir, 'spool'),
        LOG_LEVEL: 'info',
        LOG_BATCH_MAX_WAIT_MS: '5',
        SHUTDOWN_GRACE_MS: String(graceMs),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
    await waitFor(
      'the API to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}): ${output}`);
        const answer = await request(port, 'GET', '/readyz').catch(() => undefined);
        return answer?.status === 200 ? true : undefined;
      },
      60_000,
    );
    return { port, queueName, exited, output: () => output, signal: (signal) => child.kill(signal) };
  }

  async function readyz(port: number): Promise<{ status: number; body: Readyz }> {
    return request<Readyz>(port, 'GET', '/readyz');
  }

  it('on SIGTERM answers /readyz 503 shutting_down at once, answers /predict through the grace (and queues it), then exits 0', async function () {
    const graceMs = 3000;
    const api = await startApiProcess(graceMs);
    const signalled = performance.now();
    api.signal('SIGTERM');
    const leaving = await waitFor('/readyz to answer 503', async () => {
      const answer = await readyz(api.port);
      return answer.status === 503 ? answer : undefined;
    });
    expect(leaving.body.status).to.equal('shutting_down');
    expect(leaving.body.checks.model).to.equal('ok');
    expect((await request(api.port, 'GET', '/healthz')).status).to.equal(200);

    const prediction = await request<{ prediction_id: string }>(api.port, 'POST', '/predict', { features: referenceInstances(1)[0] });
    const answeredAfter = performance.now() - signalled;
    expect(prediction.status).to.equal(200);
    // Clients on keep-alive connections are told to reconnect, through a load balancer that now routes elsewhere.
    expect(prediction.headers.get('connection')).to.equal('close');
    expect(answeredAfter, 'the prediction was answered during the grace').to.be.below(graceMs);
    expect(
      await within(
        api.exited.then(() => 'exited'),
        500,
        'an early exit',
      ).catch(() => 'running'),
      'still running during the grace',
    ).to.equal('running');

    const exit = await within(api.exited, EXIT_WITHIN_MS, 'the exit after the grace');
    const exitedAfter = performance.now() - signalled;
    expect(exit, api.output()).to.deep.equal({ code: 0, signal: null });
    expect(exitedAfter, 'waited out the grace').to.be.at.least(graceMs - 50);
    expect(api.output()).to.match(/api shutting down/);

    // The prediction answered during the grace was flushed to Redis before the exit: its batch's job is named by its id.
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const queue = new Queue(queueNames(api.queueName).log, { connection });
    try {
      expect(await queue.getJob(prediction.body.prediction_id), 'the batch of the grace-time prediction').to.not.equal(undefined);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('on SIGINT drains at once: no grace', async function () {
    const api = await startApiProcess(60_000);
    const signalled = performance.now();
    api.signal('SIGINT');
    const exit = await within(api.exited, EXIT_WITHIN_MS, 'the exit on SIGINT');
    expect(exit, api.output()).to.deep.equal({ code: 0, signal: null });
    expect(performance.now() - signalled).to.be.below(EXIT_WITHIN_MS);
    expect(api.output()).to.not.match(/api shutting down/);
  });

  it('on SIGINT during a SIGTERM grace stops waiting and drains at once', async function () {
    const api = await startApiProcess(60_000);
    api.signal('SIGTERM');
    await waitFor('/readyz to answer 503', async () => ((await readyz(api.port)).status === 503 ? true : undefined));
    const interrupted = performance.now();
    api.signal('SIGINT');
    const exit = await within(api.exited, EXIT_WITHIN_MS, 'the exit on SIGINT during the grace');
    expect(exit, api.output()).to.deep.equal({ code: 0, signal: null });
    expect(performance.now() - interrupted).to.be.below(EXIT_WITHIN_MS);
  });
});
