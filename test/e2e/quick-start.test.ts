import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../support/http';
import { freePort } from '../support/private-redis';
import { referenceInstances, waitFor } from '../support/test-env';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('quick start: npm start runs the API and the worker (and a private Redis when none answers)', function () {
  this.timeout(90_000);
  let child: ChildProcess | undefined;
  let output = '';

  after(function () {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves and logs a prediction with no Redis running, then stops everything on SIGINT', async function () {
    const [port, redisPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'vigil-start-'));
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        QUEUE_NAME: `quick-start-${port}`,
        SQLITE_PATH: join(dir, 'monitoring.db'),
        SPOOL_DIR: join(dir, 'spool'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    await waitFor(
      'the API to be ready',
      async () => ((await request(port, 'GET', '/readyz').catch(() => ({ status: 0 }))).status === 200 ? true : undefined),
      60_000,
    );
    expect(output).to.match(/started a private redis-server/);
    const prediction = await request<{ prediction_id: string }>(port, 'POST', '/predict', { features: referenceInstances(1)[0] });
    expect(prediction.status).to.equal(200);
    await waitFor('the prediction in SQLite', async () => {
      const recent = await request<{ predictions: { prediction_id: string }[] }>(port, 'GET', '/monitoring/predictions?limit=5');
      return recent.body.predictions.some((p) => p.prediction_id === prediction.body.prediction_id) ? true : undefined;
    });

    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    expect(code, output).to.equal(0);
    expect(await portOpen(port)).to.equal(false);
    await waitFor('the private Redis to stop', async () => ((await portOpen(redisPort)) ? undefined : true), 10_000);
  });
});
