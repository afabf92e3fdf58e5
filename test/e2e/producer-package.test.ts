import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { Config } from '@vigil/config';
import { startWorker, type RunningWorker } from '../../apps/worker/src/start-worker';
import { packPackage, PACKAGE_DIR } from '../../packages/prediction-log/build/build-package';
import { request } from '../support/http';
import { testConfig, waitFor } from '../support/test-env';

const EXAMPLE_DIR = 'examples/express-model-server';
const run = promisify(execFile);

/** This process's environment without npm's own variables (mocha may run under `npm test`): the example installs as a stranger's project would. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return { ...env, ...extra };
}

/** Runs a command in `cwd`, failing with its output when it exits non-zero. */
async function sh(cwd: string, command: string, args: string[]): Promise<string> {
  try {
    return (await run(command, args, { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

interface StoredRow {
  prediction_id: string;
  timestamp: string;
  model_version: string;
  features: string;
  prediction: number;
  probability: number;
  latency_ms: number;
  instance_id: string | null;
  seq: number | null;
  trace_id: string | null;
}

interface Answer {
  prediction_id: string;
  model_version: string;
  prediction: 0 | 1;
  probability: number;
}

describe('producer package: the example app installs the packed @vigil/prediction-log and its predictions land in SQLite', function () {
  // Building, packing and an npm install (from the registry or npm's cache) take a while on two shared cores.
  this.timeout(600_000);
  let work: string;
  let app: string;
  let config: Config;
  let worker: RunningWorker | undefined;
  let server: ChildProcess | undefined;
  let serverOutput = '';
  let port = 0;

  before(async function () {
    work = mkdtempSync(join(tmpdir(), 'vigil-producer-package-'));
    app = join(work, basename(EXAMPLE_DIR));
    // The example as a stranger gets it: its own files, none of this repository's node_modules or a tarball left behind.
    cpSync(EXAMPLE_DIR, app, { recursive: true, filter: (source) => !/node_modules|\.tgz$|package-lock\.json$/.test(source) });
    // Where the example's package.json expects it (file:vigil-prediction-log.tgz).
    await packPackage(join(app, 'vigil-prediction-log.tgz'));
    await sh(app, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']);

    // A real Vigil worker on a queue and SQLite file of the test's own, and the example app on the same queue.
    config = testConfig({ AUDIT_DATABASE_URL: '', ALERTING: 'off' });
    worker = await startWorker(config);
    server = spawn(process.execPath, ['server.js'], {
      cwd: app,
      env: cleanEnv({ REDIS_URL: config.redisUrl, QUEUE_NAME: config.queueName, JOURNAL_DIR: join(work, 'journal'), PORT: '0', HOST: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    port = await waitFor('the example to listen', () => Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(serverOutput)?.[1]) || undefined, 30_000);
  });

  after(async function () {
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGKILL');
      await exited;
    }
    await worker?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
    // testConfig's folder of the worker's SQLite file.
    if (config !== undefined) rmSync(dirname(config.sqlitePath), { recursive: true, force: true });
  });

  it('installs JavaScript and one .d.ts with its own dependencies, not the workspace source', function () {
    const installed = join(app, 'node_modules/@vigil/prediction-log');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    const workspace = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
    expect(manifest).to.deep.include({
      name: '@vigil/prediction-log',
      version: workspace.version,
      type: 'module',
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' }, './package.json': './package.json' },
      dependencies: { bullmq: workspace.dependencies.bullmq, ioredis: workspace.dependencies.ioredis, uuid: workspace.dependencies.uuid },
    });
    expect(manifest).not.to.have.property('private');
    expect(readdirSync(installed).sort()).to.deep.equal(['README.md', 'dist', 'package.json']);
    expect(readdirSync(join(installed, 'dist')).sort()).to.deep.equal(['index.d.ts', 'index.js']);
    // The workspace packages are inside the bundle; only real packages are imported.
    const bundle = readFileSync(join(installed, 'dist/index.js'), 'utf8');
    const imported = [...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]).filter((name) => !name!.startsWith('node:'));
    expect([...new Set(imported)].sort()).to.deep.equal(['bullmq', 'ioredis', 'uuid']);
    expect(readFileSync(join(installed, 'dist/index.d.ts'), 'utf8')).not.to.match(/@vigil\//);
    // Not hoisted out of the example: the bundle's dependencies were installed for it.
    for (const name of ['bullmq', 'ioredis', 'uuid', 'express']) expect(existsSync(join(app, 'node_modules', name, 'package.json')), name).to.equal(true);
  });

  it('type-checks the example and a TypeScript consumer against the declarations, which refuse a wrong prediction', async function () {
    // tsc of the example's own devDependencies, skipLibCheck off: the .d.ts itself is checked too.
    await sh(app, join(app, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.json']);
    copyFileSync(join(PACKAGE_DIR, 'test/fixtures/typed-consumer.ts'), join(app, 'typed-consumer.ts'));
    writeFileSync(join(app, 'tsconfig.consumer.json'), JSON.stringify({ extends: './tsconfig.json', include: ['typed-consumer.ts'] }));
    await sh(app, join(app, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.consumer.json']);
    // And the check can fail: the same consumer with one more wrong call does not compile.
    writeFileSync(
      join(app, 'typed-consumer.ts'),
      `${readFileSync(join(app, 'typed-consumer.ts'), 'utf8')}\nvigil.log({ features: {}, prediction: 1, probability: '0.5', model_version: 'm' });\n`,
    );
    const failed = await sh(app, join(app, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.consumer.json']).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(failed).to.match(/typed-consumer\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });

  it("serves predictions whose records a Vigil worker stores in SQLite with the example's fields", async function () {
    const sent = [
      { amount: 12.5, velocity: 1, distance_from_home_km: 3 },
      { amount: 980, velocity: 9, distance_from_home_km: 1200 },
      { amount: 45, velocity: 2, distance_from_home_km: 40 },
      { amount: 600, velocity: 6, distance_from_home_km: 700 },
    ];
    const started = Date.now();
    const answers: Answer[] = [];
    // The second request comes with a W3C traceparent: its record links to the trace.
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    for (const [i, features] of sent.entries()) {
      const headers: Record<string, string> = i === 1 ? { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } : {};
      const answer = await request<Answer>(port, 'POST', '/predict', { features }, headers);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      answers.push(answer.body);
    }
    expect(answers.map((a) => a.prediction)).to.include.members([0, 1]);

    const sqlite = new Database(config.sqlitePath, { readonly: true, fileMustExist: true });
    try {
      const select = sqlite.prepare<[string], StoredRow>(
        'SELECT prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, instance_id, seq, trace_id FROM predictions ' +
          'WHERE prediction_id IN (SELECT value FROM json_each(?)) ORDER BY seq',
      );
      const ids = JSON.stringify(answers.map((a) => a.prediction_id));
      const rows = await waitFor('the predictions in SQLite', () => {
        const found = select.all(ids);
        return found.length === answers.length ? found : undefined;
      });
      rows.forEach((row, i) => {
        expect(row).to.deep.include({
          prediction_id: answers[i]!.prediction_id,
          model_version: 'example-logistic-1',
          prediction: answers[i]!.prediction,
          probability: answers[i]!.probability,
          seq: i + 1,
          trace_id: i === 1 ? traceId : null,
        });
        expect(JSON.parse(row.features)).to.deep.equal(sent[i]);
        expect(row.latency_ms).to.be.above(0);
        expect(Date.parse(row.timestamp)).to.be.within(started - 1000, Date.now());
        expect(row.instance_id).to.be.a('string').and.equal(rows[0]!.instance_id);
      });
    } finally {
      sqlite.close();
    }
  });

  it("answers bad input with a 400 in Vigil's error format, and logs nothing for it", async function () {
    const missing = await request<{ error: { code: string; message: string } }>(port, 'POST', '/predict', { features: { amount: 10 } });
    expect(missing.status).to.equal(400);
    expect(missing.body).to.deep.equal({ error: { code: 'INVALID_FEATURES', message: 'features.velocity must be a finite number', details: {} } });
    const notJson = await request<{ error: { code: string } }>(port, 'POST', '/predict', '{"features":', { 'content-type': 'application/json' });
    expect(notJson.status).to.equal(400);
    expect(notJson.body.error.code).to.equal('INVALID_REQUEST');
    // One good prediction after them: once it is stored, anything logged before it is too (one instance, in order).
    const good = await request<Answer>(port, 'POST', '/predict', { features: { amount: 1, velocity: 1, distance_from_home_km: 1 } });
    expect(good.status).to.equal(200);
    const sqlite = new Database(config.sqlitePath, { readonly: true, fileMustExist: true });
    try {
      const last = await waitFor('the last prediction in SQLite', () =>
        sqlite.prepare<[string], { seq: number }>('SELECT seq FROM predictions WHERE prediction_id = ?').get(good.body.prediction_id),
      );
      // Every record the example logged is numbered (seq); the bad requests took no number and left no row.
      const stored = sqlite.prepare<[], { n: number; max: number }>('SELECT count(*) AS n, max(seq) AS max FROM predictions').get()!;
      expect(stored).to.deep.equal({ n: last.seq, max: last.seq });
    } finally {
      sqlite.close();
    }
  });

  it('stops on SIGTERM with exit code 0', async function () {
    const exited = once(server!, 'exit');
    server!.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code, serverOutput).to.equal(0);
  });
});
