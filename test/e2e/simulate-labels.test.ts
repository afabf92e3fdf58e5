import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { testConfig, waitFor } from '../support/test-env';

interface Run {
  code: number;
  stderr: string;
}

interface Performance {
  predictions: number;
  labeled: number;
  label_delay_seconds: { p50: number | null; p95: number | null };
}

const simulate = (...args: string[]) =>
  new Promise<Run>((resolve) => {
    // PREDICT_API_KEY / FEEDBACK_API_KEY from the environment running the tests must not reach the open test API.
    const { PREDICT_API_KEY: _p, FEEDBACK_API_KEY: _f, ...env } = process.env;
    execFile(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', ...args], { env }, (error, _stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number((error as { code?: unknown }).code), stderr }),
    );
  });

describe('npm run simulate with delayed labels, against a real API and worker', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async function () {
    stack = await startStack(testConfig({ SPOOL_DIR: mkdtempSync(join(tmpdir(), 'vigil-simulate-spool-')) }));
  });
  after(async function () {
    await stack?.close();
  });

  const performance = async () => {
    const { status, body } = await request<Performance>(stack.api.port, 'GET', '/monitoring/performance?window=1h');
    expect(status, JSON.stringify(body)).to.equal(200);
    return body;
  };

  it('sends a label for each answered prediction about --label-delay after it, and they reach /monitoring/performance', async function () {
    const run = await simulate(
      '--url',
      `http://127.0.0.1:${stack.api.port}`,
      '--rate',
      '20',
      '--duration',
      '3',
      '--labels',
      'calibrated',
      '--label-delay',
      '1s',
    );
    expect(run.code, run.stderr).to.equal(0);
    const done = /done: sent (\d+), ok (\d+), failed 0/.exec(run.stderr);
    expect(done, run.stderr).to.not.equal(null);
    const ok = Number(done![2]);
    expect(ok).to.be.greaterThan(0);
    // --label-fraction defaults to 1: every answered prediction gets its label, and the API accepted them all.
    expect(run.stderr).to.include(`labels: sent ${ok}, accepted ${ok}, failed 0`);

    const joined = await waitFor('labels joined', async () => {
      const body = await performance();
      return body.predictions === ok && body.labeled === ok ? body : undefined;
    });
    // labeled_at is when the API received the label: the delay asked for, plus the transit and the sender's 100 ms poll (log buckets: ±4.4%).
    expect(joined.label_delay_seconds.p50).to.be.within(0.95, 3);
  });

  it('refuses bad label options with exit 2 before sending anything', async function () {
    const url = `http://127.0.0.1:${stack.api.port}`;
    const before = (await performance()).predictions;
    const runs = await Promise.all([
      simulate('--url', url, '--labels', 'sometimes'),
      simulate('--url', url, '--label-delay', '5s'),
      simulate('--url', url, '--labels', 'shifted', '--label-delay', 'soon'),
      simulate('--url', url, '--labels', 'shifted', '--label-fraction', '1.5'),
    ]);
    expect(runs.map((r) => r.code)).to.deep.equal([2, 2, 2, 2]);
    expect(runs[0]!.stderr).to.include('--labels takes calibrated, shifted or off');
    expect(runs[1]!.stderr).to.include('--label-delay and --label-fraction need --labels calibrated or --labels shifted');
    expect(runs[2]!.stderr).to.include('--label-delay takes a duration');
    expect(runs[3]!.stderr).to.include('--label-fraction takes a share above 0 and at most 1');
    // Give a stray request time to be stored before checking none came.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await performance()).predictions, 'nothing sent').to.equal(before);
  });
});
