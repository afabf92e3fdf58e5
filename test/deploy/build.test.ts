import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { ENTRY_POINTS, bundleFile, type BundleName } from '../../scripts/build/build-bundles';
import { INSERT_THREAD_BUNDLE } from '../../packages/stores/src/sqlite/insert-thread/sqlite-insert-thread';
import { packageNameOf } from '../../scripts/build/workspaces';
import { request } from '../support/http';
import { freePort } from '../support/private-redis';
import { REDIS_URL, referenceInstances, testQueueNames, waitFor } from '../support/test-env';
import { imageLayout, type ImageLayout } from './support/image-layout';
import { run, start, type Started } from './support/node-process';

const ROOT = new URL('../../', import.meta.url).pathname;
const BUNDLES = Object.keys(ENTRY_POINTS) as BundleName[];

/** Every module specifier a bundle imports (static and dynamic), as esbuild writes them. */
function importsOf(bundle: string): string[] {
  const text = readFileSync(bundle, 'utf8');
  return [...text.matchAll(/^import\s+(?:[^"';]*?\s+from\s+)?"([^"]+)";?$/gm), ...text.matchAll(/\bimport\("([^"]+)"\)/g)].map((match) => match[1]!);
}

/** Waits for `path` to answer 200; fails at once, with what the process printed, if it exits or never answers. */
async function answers200(process: Started, port: number, path: string): Promise<void> {
  try {
    await waitFor(
      `${path} on :${port}`,
      async () => {
        if (process.child.exitCode !== null) throw new Error(`exited with ${process.child.exitCode}`);
        const answer = await request(port, 'GET', path).catch(() => ({ status: 0 }));
        return answer.status === 200 ? true : undefined;
      },
      30_000,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; it printed:\n${process.output()}`);
  }
}

/** Whether a user who owns none of it can read `file`: every folder on the way searchable by others, the file readable. */
function othersCanReach(file: string): boolean {
  if ((statSync(file).mode & 0o004) === 0) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

function filesUnder(dir: string, skip: ReadonlySet<string>): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (skip.has(path)) return [];
    return entry.isDirectory() ? filesUnder(path, skip) : [relative(dir, path)];
  });
}

describe('npm run build: the API, the worker and the CLI as JavaScript that node runs without tsx', function () {
  this.timeout(120_000);
  let layout: ImageLayout;
  let env: Record<string, string>;
  let worker: Started | undefined;
  let api: Started | undefined;
  let apiPort: number;
  let workerPort: number;
  let filesBefore: string[];
  /** Run as the image's user when the test can (as root): then only what the image lets it write is writable. */
  // Only when that user can reach this checkout's node_modules (the symlinked production install): a clone under a
  // 0700 temp dir (mktemp -d, as CI makes one) is root's alone, and the image's user could load no package from it.
  const asImageUser = () =>
    process.getuid?.() === 0 && othersCanReach(join(ROOT, 'node_modules', 'express', 'package.json')) ? { uid: layout.user.uid, gid: layout.user.gid } : {};

  before(async function () {
    layout = imageLayout(ROOT);
    const built = await run('npm', ['run', 'build', '--', '--out-dir', layout.distDir], { cwd: ROOT, env: process.env });
    expect(built.code, built.output).to.equal(0);
    const queue = `test-deploy-${randomUUID().slice(0, 8)}`;
    testQueueNames.add(queue);
    [apiPort, workerPort] = [await freePort(), await freePort()];
    // Only the image's environment and this test's own queue and ports: no NODE_OPTIONS, no tsx loader, nothing of mocha's.
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...layout.env,
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      WORKER_METRICS_PORT: String(workerPort),
      REDIS_URL,
      QUEUE_NAME: queue,
      LOG_LEVEL: 'warn',
      LOG_BATCH_MAX_WAIT_MS: '5',
      SHUTDOWN_GRACE_MS: '0',
      ALERTING: 'off',
    };
    filesBefore = filesUnder(layout.appDir, new Set([join(layout.appDir, 'node_modules'), join(layout.appDir, 'data')]));
  });

  after(async function () {
    await api?.stop('SIGKILL');
    await worker?.stop('SIGKILL');
    if (layout !== undefined) rmSync(join(layout.appDir, '..'), { recursive: true, force: true });
  });

  it('writes one bundle per process, importing only node built-ins and packages the production install has', function () {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    // The worker starts its insert thread from the bundle of that name beside its own.
    expect(bundleFile('sqlite-inserts')).to.equal(INSERT_THREAD_BUNDLE);
    for (const name of BUNDLES) {
      const specifiers = importsOf(join(layout.distDir, bundleFile(name)));
      expect(specifiers, name).to.not.be.empty;
      const packages = [...new Set(specifiers.filter((specifier) => !isBuiltin(specifier)).map(packageNameOf))];
      // The workspaces are compiled in; no TypeScript, no relative file, no loader is left to resolve at run time.
      expect(
        packages.filter((pkg) => pkg.startsWith('@vigil/') || pkg === 'tsx' || pkg.startsWith('.')),
        name,
      ).to.deep.equal([]);
      expect(
        specifiers.filter((specifier) => specifier.endsWith('.ts')),
        name,
      ).to.deep.equal([]);
      // npm ci --omit=dev installs exactly the lock file's packages not marked dev: the image has each one.
      const missing = packages.filter((pkg) => lock.packages[`node_modules/${pkg}`] === undefined || lock.packages[`node_modules/${pkg}`]!.dev === true);
      expect(missing, `${name} imports packages the runtime image does not install`).to.deep.equal([]);
    }
  });

  it('starts the worker from dist/worker.mjs with node alone: live and ready on WORKER_METRICS_PORT', async function () {
    const [node, ...args] = layout.cmd;
    expect(args.at(-1)).to.equal(`dist/${bundleFile('api')}`);
    worker = start(node!, [...args.slice(0, -1), `dist/${bundleFile('worker')}`], { cwd: layout.appDir, env, ...asImageUser() });
    await answers200(worker, workerPort, '/healthz');
    await answers200(worker, workerPort, '/readyz');
  });

  it('starts the API as the image does (its CMD), which answers /predict, and the worker writes the record to SQLite', async function () {
    const [node, ...args] = layout.cmd;
    api = start(node!, args, { cwd: layout.appDir, env, ...asImageUser() });
    await answers200(api, apiPort, '/readyz');
    await answers200(api, apiPort, '/healthz');

    const prediction = await request<{ prediction_id: string }>(apiPort, 'POST', '/predict', { features: referenceInstances(1)[0] });
    expect(prediction.status, JSON.stringify(prediction.body)).to.equal(200);
    const db = new Database(env.SQLITE_PATH!, { readonly: true, fileMustExist: true });
    try {
      const row = await waitFor('the prediction in SQLite', () =>
        db.prepare<[string], { prediction_id: string }>('SELECT prediction_id FROM predictions WHERE prediction_id = ?').get(prediction.body.prediction_id),
      );
      expect(row.prediction_id).to.equal(prediction.body.prediction_id);
    } finally {
      db.close();
    }
  });

  it('serves the files the API reads beside its modules: the dashboard, the docs page, uPlot and Swagger UI, its version', async function () {
    for (const path of ['/dashboard', '/dashboard/assets/dashboard.js', '/dashboard/assets/uPlot.iife.min.js', '/docs', '/docs/assets/swagger-ui-bundle.js']) {
      const answer = await fetch(`http://127.0.0.1:${apiPort}${path}`);
      expect(answer.status, path).to.equal(200);
      expect((await answer.arrayBuffer()).byteLength, path).to.be.greaterThan(100);
    }
    const openapi = await request<{ info: { version: string } }>(apiPort, 'GET', '/openapi.json');
    const { version } = JSON.parse(readFileSync(join(ROOT, 'apps/api/package.json'), 'utf8')) as { version: string };
    expect(openapi.body.info.version).to.equal(version);
  });

  it('writes nowhere but the data folder (SQLite and the journal there)', function () {
    const dataDir = join(layout.appDir, 'data');
    expect(env.SQLITE_PATH!.startsWith(dataDir + '/') && env.SPOOL_DIR!.startsWith(dataDir + '/')).to.equal(true);
    expect(filesUnder(layout.appDir, new Set([join(layout.appDir, 'node_modules'), dataDir]))).to.deep.equal(filesBefore);
    expect(readdirSync(dataDir)).to.include.members([relative(dataDir, env.SQLITE_PATH!), relative(dataDir, env.SPOOL_DIR!)]);
    // Written by the image's user (when the test could run them as that user), not by root.
    if ('uid' in asImageUser()) expect(statSync(env.SQLITE_PATH!).uid).to.equal(layout.user.uid);
  });

  it('runs the CLI bundle: `node dist/cli.mjs --help` lists the commands', async function () {
    const help = await run('node', [`dist/${bundleFile('cli')}`, '--help'], { cwd: layout.appDir, env, ...asImageUser() });
    expect(help.code, help.output).to.equal(0);
    expect(help.output).to.match(/dlq/);
  });

  it('stops the API and the worker cleanly on SIGTERM (exit 0)', async function () {
    expect(await api!.stop('SIGTERM'), api!.output()).to.equal(0);
    expect(await worker!.stop('SIGTERM'), worker!.output()).to.equal(0);
  });
});
