import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { ENTRY_POINTS, bundleFile, type BundleName } from '../../scripts/build/build-bundles';
import { dockerIgnores } from './support/dockerignore';
import { execForm, lastOf, parseDockerfile, stageCopies, stageEnv, stageNamed, type Stage } from './support/dockerfile';

const ROOT = new URL('../../', import.meta.url).pathname;

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  user?: string;
  read_only?: boolean;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
}

interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const isWithin = (path: string, dir: string) => path === dir || path.startsWith(dir.replace(/\/$/, '') + '/');
const bundlePaths = (Object.keys(ENTRY_POINTS) as BundleName[]).map((name) => `dist/${bundleFile(name)}`);

/** `name:/path[:ro]` → the volume and where it is mounted. */
function mounts(service: ComposeService): { source: string; target: string; readOnly: boolean }[] {
  return (service.volumes ?? []).map((entry) => {
    const [source = '', target = '', mode] = entry.split(':');
    return { source, target, readOnly: mode === 'ro' };
  });
}

describe('docker-compose.yml, the Dockerfile and .dockerignore', function () {
  // `<<` merges are how the api and the worker share the image and the environment.
  const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as Compose;
  const stages = parseDockerfile(`${ROOT}Dockerfile`);
  const runtime: Stage = stages.at(-1)!;
  const { api, worker } = compose.services;

  it('gives every service a health check, and starts each after what it needs is healthy', function () {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test, `${name} has a health check`).to.be.an('array').that.is.not.empty;
      expect(service.healthcheck?.disable ?? false, name).to.equal(false);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} waits for ${dependency} to be healthy`).to.equal('service_healthy');
      }
    }
    expect(Object.keys(api!.depends_on ?? {})).to.include.members(['redis', 'worker']);
    // The node images have no curl: node asks the health endpoints itself.
    expect(api!.healthcheck!.test!.slice(0, 3)).to.deep.equal(['CMD', 'node', '-e']);
    expect(api!.healthcheck!.test![3]).to.include(`:${api!.environment!.PORT}/healthz`);
    expect(worker!.healthcheck!.test![3]).to.include(`:${worker!.environment!.WORKER_METRICS_PORT}/healthz`);
  });

  it('runs the API and the worker from the compiled bundles of one image, as a non-root user, on a read-only root', function () {
    expect(api!.image).to.equal(worker!.image);
    expect(api!.command).to.deep.equal(['node', '--enable-source-maps', `dist/${bundleFile('api')}`]);
    expect(worker!.command).to.deep.equal(['node', '--enable-source-maps', `dist/${bundleFile('worker')}`]);
    for (const service of [api!, worker!]) {
      expect(service.user).to.match(/^[1-9]\d*:[1-9]\d*$/);
      expect(service.read_only).to.equal(true);
    }
  });

  it('mounts one data volume at SQLITE_PATH’s folder and SPOOL_DIR in both the API and the worker, and nothing over the model', function () {
    const dataVolumes = new Set<string>();
    for (const [name, service] of [
      ['api', api!],
      ['worker', worker!],
    ] as const) {
      const env = service.environment!;
      const mountFor = (path: string) => mounts(service).filter((mount) => isWithin(path, mount.target))[0];
      for (const path of [posix.dirname(env.SQLITE_PATH!), env.SPOOL_DIR!]) {
        const mount = mountFor(path);
        expect(mount, `${name}: ${path} is on a volume`).to.not.equal(undefined);
        expect(mount!.readOnly, `${name}: ${path} is writable`).to.equal(false);
        expect(Object.keys(compose.volumes ?? {}), `${name}: ${mount!.source} is a named volume`).to.include(mount!.source);
        dataVolumes.add(mount!.source);
      }
      expect(mountFor(env.MODEL_PATH!), `${name}: nothing mounted over ${env.MODEL_PATH}`).to.equal(undefined);
      expect(mounts(service).filter((mount) => isWithin(mount.target, posix.dirname(env.MODEL_PATH!)))).to.deep.equal([]);
    }
    // The journal must be where every replica and the worker's SQLite neighbour can see it: one volume.
    expect([...dataVolumes]).to.have.length(1);
    for (const name of ['SQLITE_PATH', 'SPOOL_DIR', 'QUEUE_NAME', 'REDIS_URL']) expect(api!.environment![name], name).to.equal(worker!.environment![name]);
  });

  it('keeps the paths of the image: MODEL_PATH, SQLITE_PATH, SPOOL_DIR and ALERT_RULES_PATH as the Dockerfile sets them', function () {
    const env = stageEnv(runtime);
    for (const name of ['MODEL_PATH', 'SQLITE_PATH', 'SPOOL_DIR', 'ALERT_RULES_PATH']) {
      expect(env[name], `Dockerfile ENV ${name}`).to.be.a('string');
      expect(api!.environment![name], name).to.equal(env[name]);
    }
  });

  it('makes Redis durable and never evicting', function () {
    const command = compose.services.redis!.command!.join(' ');
    expect(command).to.include('--maxmemory-policy noeviction');
    expect(command).to.include('--appendonly yes');
  });

  it('builds in stages: npm ci and npm run build, a production-only install, and a slim runtime without build tools', function () {
    const run = (stage: Stage) =>
      stage.instructions
        .filter((i) => i.keyword === 'RUN')
        .map((i) => i.rest)
        .join('\n');
    expect(run(stageNamed(stages, 'build'))).to.match(/npm ci\b[^\n]*\n[\s\S]*npm run build/);
    expect(run(stageNamed(stages, 'production-deps'))).to.match(/npm ci --omit=dev/);
    expect(runtime.name).to.equal('runtime');
    expect(run(runtime)).to.not.match(/npm (ci|install)|apt-get/);
    const copies = stageCopies(runtime);
    expect(copies.find((copy) => copy.from === 'production-deps')?.sources).to.deep.equal(['/app/node_modules']);
    expect(copies.filter((copy) => copy.from === 'build').flatMap((copy) => copy.sources)).to.include('/app/dist');
  });

  it('runs the bundles npm run build writes, as a numeric non-root user, with a node health check', function () {
    const cmd = execForm(lastOf(runtime, 'CMD')!.rest)!;
    expect(cmd[0]).to.equal('node');
    expect(bundlePaths).to.include(cmd.at(-1));
    expect(cmd.at(-1)).to.equal(`dist/${bundleFile('api')}`);
    // Numeric: Kubernetes' runAsNonRoot cannot check a user name.
    expect(lastOf(runtime, 'USER')!.rest).to.match(/^[1-9]\d*:[1-9]\d*$/);
    const healthcheck = lastOf(runtime, 'HEALTHCHECK')!;
    const probe = execForm(healthcheck.rest)!;
    expect(probe.slice(0, 2)).to.deep.equal(['node', '-e']);
    expect(probe[2]).to.include('/healthz');
    // Every bundle the compose file and the image start is one the build makes.
    for (const service of [api!, worker!]) expect(bundlePaths).to.include(service.command!.at(-1));
  });

  it('bakes the model in read-only at MODEL_PATH’s folder, from files that are in the repository and in the build context', function () {
    const ignored = dockerIgnores(`${ROOT}.dockerignore`);
    const modelDir = posix.dirname(stageEnv(runtime).MODEL_PATH!);
    const modelCopy = stageCopies(runtime).find((copy) => copy.from === undefined && posix.resolve('/app', copy.dest).startsWith(modelDir))!;
    expect(modelCopy, `a COPY into ${modelDir}`).to.not.equal(undefined);
    expect(modelCopy.sources).to.include('artifacts/model.onnx');
    expect(modelCopy.sources).to.include('artifacts/model.spec.json');
    expect(lastOf(runtime, 'RUN')!.rest).to.include(`chmod -R a-w ${modelDir}`);
    for (const copy of stageCopies(runtime).filter((c) => c.from === undefined)) {
      for (const source of copy.sources) {
        expect(existsSync(`${ROOT}${source}`), `${source} exists`).to.equal(true);
        expect(ignored(source), `${source} is in the build context`).to.equal(false);
      }
    }
  });

  it('leaves out of the build context node_modules, the databases, the journal, Redis data, .git and results', function () {
    const ignored = dockerIgnores(`${ROOT}.dockerignore`);
    for (const path of [
      'node_modules/express/package.json',
      'packages/stores/node_modules/x/index.js',
      'artifacts/monitoring.db',
      'artifacts/monitoring.db-wal',
      'artifacts/monitoring.db-shm',
      'artifacts/spool/instances/api-1/1.jsonl',
      'artifacts/redis/appendonlydir/x.aof',
      '.git/HEAD',
      'bench/results/run.json',
      'dist/api.mjs',
    ]) {
      expect(ignored(path), `${path} is left out`).to.equal(true);
    }
    for (const path of [
      'package.json',
      'package-lock.json',
      '.npmrc',
      'apps/api/src/main.ts',
      'scripts/build.ts',
      'deploy/alerts.json',
      'artifacts/model.onnx',
    ]) {
      expect(ignored(path), `${path} is sent`).to.equal(false);
    }
  });
});
