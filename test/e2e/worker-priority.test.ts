import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIABLES } from '@vigil/config';
import { request } from '../support/http';
import { freePort } from '../support/private-redis';
import { useTempDirs } from '../support/temp-dirs';
import { REDIS_URL, testQueueNames, waitFor } from '../support/test-env';

/** The nice value of a running process, from /proc (field 19 of stat, after the command name in parentheses). */
function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

// The real worker process, as `npm run start:worker` runs it: the priority is set in main.ts, not in startWorker.
describe('worker CPU priority: WORKER_NICE', function () {
  this.timeout(60_000);
  const children: ChildProcess[] = [];
  afterEach(async function () {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGINT');
      await once(child, 'exit');
    }
  });
  const tempDir = useTempDirs();

  async function startWorkerProcess(extra: Record<string, string>): Promise<{ pid: number; output: () => string }> {
    const dir = tempDir('worker-priority');
    const queueName = `test-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    testQueueNames.add(queueName);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const definition of Object.values(VARIABLES)) delete env[definition.name];
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      env: {
        ...env,
        REDIS_URL,
        QUEUE_NAME: queueName,
        SQLITE_PATH: join(dir, 'monitoring.db'),
        WORKER_METRICS_PORT: String(port),
        LOG_LEVEL: 'info',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      'the worker to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}): ${output}`);
        const answer = await request(port, 'GET', '/readyz').catch(() => undefined);
        return answer?.status === 200 ? true : undefined;
      },
      45_000,
    );
    return { pid: child.pid!, output: () => output };
  }

  it('runs at nice 10 by default and says so in its start-up line, so API replicas on the same cores come first', async function () {
    const worker = await startWorkerProcess({});
    expect(niceOf(worker.pid)).to.equal(10);
    expect(niceOf(process.pid), 'the test process itself is untouched').to.equal(0);
    const started = worker
      .output()
      .split('\n')
      .filter((line) => line.includes('worker started'))
      .map((line) => JSON.parse(line) as { nice?: number });
    expect(started.map((line) => line.nice)).to.deep.equal([10]);
  });

  it('keeps the default priority with WORKER_NICE=0, and refuses a value outside 0-19 at start', async function () {
    const worker = await startWorkerProcess({ WORKER_NICE: '0' });
    expect(niceOf(worker.pid)).to.equal(0);
    const bad = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      env: { ...process.env, WORKER_NICE: '25' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    bad.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(bad, 'exit');
    expect(code).to.equal(2);
    expect(stderr).to.include('WORKER_NICE');
  });
});
