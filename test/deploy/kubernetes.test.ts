import { readFileSync } from 'node:fs';
import { basename, posix } from 'node:path';
import { expect } from 'chai';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer, IPodSpec, IProbe } from 'kubernetes-models/v1';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import { checkAlertRules } from '@vigil/alerts';
import { loadConfig, VARIABLES } from '@vigil/config';
import { bundleFile } from '../../scripts/build/build-bundles';
import { parseDockerfile, stageEnv, stageNamed } from './support/dockerfile';
import { kustomizeBuild, type KubeObject } from './support/kustomize-build';
import { schemaProblems, unknownFieldProblems } from './support/kubernetes-schemas';

const ROOT = new URL('../../', import.meta.url).pathname;
const K8S = `${ROOT}deploy/k8s`;
/** The API's drain after its grace: connections still open after 10 s are cut, then the batcher is flushed (README, "Shutdown"). */
const API_DRAIN_SECONDS = 10;
/** What the flush and the process exit are given on top of that. */
const FLUSH_MARGIN_SECONDS = 5;

const isWithin = (path: string, dir: string) => path === dir || path.startsWith(dir.replace(/\/$/, '') + '/');

function one<T>(objects: readonly KubeObject[], kind: string, name?: string): T {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).to.have.length(1);
  return found[0] as unknown as T;
}

describe('deploy/k8s: the kustomization, rendered and checked against the Kubernetes schemas', function () {
  this.timeout(60_000);
  let objects: KubeObject[];
  let deployment: IDeployment;
  let pod: IPodSpec;
  before(function () {
    objects = kustomizeBuild(K8S);
    deployment = one<IDeployment>(objects, 'Deployment', 'vigil');
    pod = deployment.spec!.template.spec as IPodSpec;
  });
  const container = (name: string) => {
    const found = pod.containers.find((candidate) => candidate.name === name);
    expect(found, `container ${name}`).to.not.equal(undefined);
    return found as IContainer;
  };
  const configMapNamed = (name: string) => one<{ data: Record<string, string> }>(objects, 'ConfigMap', name);
  /** The environment a container gets from its ConfigMaps (the Secret's keys are the operator's). */
  const envOf = (c: IContainer): Record<string, string> =>
    Object.assign({}, ...(c.envFrom ?? []).filter((source) => source.configMapRef).map((source) => configMapNamed(source.configMapRef!.name!).data));
  const portOf = (c: IContainer, probe: IProbe | undefined): number => {
    const port = probe?.httpGet?.port;
    if (typeof port === 'number') return port;
    const named = c.ports?.find((candidate) => candidate.name === port);
    expect(named, `${c.name}: probe port ${String(port)} is one of its ports`).to.not.equal(undefined);
    return named!.containerPort;
  };

  it('is valid: every object passes its schema, with no field the schema does not have', function () {
    expect(objects.map((object) => object.kind).sort()).to.deep.equal(['ConfigMap', 'ConfigMap', 'Deployment', 'PersistentVolumeClaim', 'Service']);
    expect(schemaProblems(objects)).to.deep.equal([]);
    expect(unknownFieldProblems(objects, ROOT)).to.deep.equal([]);
  });

  it('catches what it is meant to: a misspelt field and a wrong type are reported', function () {
    const broken = structuredClone(objects) as KubeObject[];
    const brokenPod = (broken.find((object) => object.kind === 'Deployment') as unknown as IDeployment).spec!.template.spec!;
    (brokenPod.containers[0] as unknown as Record<string, unknown>).readinesProbe = { httpGet: { path: '/readyz', port: 'http' } };
    (brokenPod.containers[1]!.ports![0] as unknown as Record<string, unknown>).containerPort = 'nine';
    expect(unknownFieldProblems(broken, ROOT).join('\n')).to.match(/readinesProbe/);
    expect(schemaProblems(broken).join('\n')).to.match(/containerPort must be integer/);
  });

  it('runs the API and the worker from the compiled bundles, in one pod, from the image the kustomization names', function () {
    expect(pod.containers.map((c) => c.name)).to.deep.equal(['api', 'worker']);
    expect(container('api').command).to.deep.equal(['node', '--enable-source-maps', `dist/${bundleFile('api')}`]);
    expect(container('worker').command).to.deep.equal(['node', '--enable-source-maps', `dist/${bundleFile('worker')}`]);
    for (const c of pod.containers) expect(c.image).to.equal('vigil:0.1.0');
    // One replica, and no two pods at once on the ReadWriteOnce volume.
    expect(deployment.spec!.replicas).to.equal(1);
    expect(deployment.spec!.strategy?.type).to.equal('Recreate');
  });

  it('probes the API: readiness on /readyz, liveness and start-up on /healthz, on the port the API listens on', function () {
    const api = container('api');
    const port = Number(envOf(api).PORT);
    expect(api.readinessProbe?.httpGet?.path).to.equal('/readyz');
    expect(api.livenessProbe?.httpGet?.path).to.equal('/healthz');
    expect(api.startupProbe?.httpGet?.path).to.equal('/healthz');
    for (const probe of [api.readinessProbe, api.livenessProbe, api.startupProbe]) expect(portOf(api, probe)).to.equal(port);
  });

  it('probes the worker on its health server (WORKER_METRICS_PORT), and keeps its /readyz out of the pod’s readiness', function () {
    const worker = container('worker');
    const port = Number(envOf(worker).WORKER_METRICS_PORT);
    expect(port).to.be.greaterThan(0);
    expect(worker.livenessProbe?.httpGet?.path).to.equal('/healthz');
    expect(worker.startupProbe?.httpGet?.path).to.equal('/healthz');
    for (const probe of [worker.livenessProbe, worker.startupProbe]) expect(portOf(worker, probe)).to.equal(port);
    // A Redis outage fails the worker's /readyz; as a readiness probe it would pull the API out of the Service.
    expect(worker.readinessProbe).to.equal(undefined);
    expect(port).to.not.equal(Number(envOf(worker).PORT));
  });

  it('gives the API time to finish: terminationGracePeriodSeconds covers preStop + SHUTDOWN_GRACE_MS + the drain', function () {
    const api = container('api');
    const preStop = api.lifecycle?.preStop?.exec?.command;
    expect(preStop?.[0]).to.equal('sleep');
    const preStopSeconds = Number(preStop?.[1]);
    const graceSeconds = Number(envOf(api).SHUTDOWN_GRACE_MS) / 1000;
    expect(preStopSeconds).to.be.within(1, 10);
    expect(graceSeconds).to.be.greaterThan(0);
    expect(pod.terminationGracePeriodSeconds).to.be.at.least(preStopSeconds + graceSeconds + API_DRAIN_SECONDS + FLUSH_MARGIN_SECONDS);
  });

  it('runs as a non-root user with a read-only root filesystem, no privilege escalation, no capabilities', function () {
    expect(pod.securityContext?.runAsNonRoot).to.equal(true);
    expect(pod.securityContext?.runAsUser).to.be.a('number').and.greaterThan(0);
    expect(pod.automountServiceAccountToken).to.equal(false);
    for (const c of pod.containers) {
      expect(c.securityContext?.readOnlyRootFilesystem, c.name).to.equal(true);
      expect(c.securityContext?.allowPrivilegeEscalation, c.name).to.equal(false);
      expect(c.securityContext?.capabilities?.drop, c.name).to.deep.equal(['ALL']);
      expect(c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser, c.name).to.not.equal(0);
    }
    // The same user as the image's: the files it writes on the volume stay readable by both containers.
    const imageUser = stageNamed(parseDockerfile(`${ROOT}Dockerfile`), 'runtime').instructions.find((i) => i.keyword === 'USER')!.rest;
    expect(imageUser).to.equal(`${pod.securityContext!.runAsUser}:${pod.securityContext!.runAsGroup}`);
  });

  it('mounts one ReadWriteOnce claim at SQLITE_PATH’s folder and SPOOL_DIR in both containers, and nothing over the model', function () {
    const claim = one<IPersistentVolumeClaim>(objects, 'PersistentVolumeClaim');
    expect(claim.spec?.accessModes).to.deep.equal(['ReadWriteOnce']);
    const dataVolume = pod.volumes?.find((volume) => volume.persistentVolumeClaim?.claimName === claim.metadata!.name);
    expect(dataVolume, 'a pod volume for the claim').to.not.equal(undefined);
    for (const c of pod.containers) {
      const env = envOf(c);
      const mountFor = (path: string) =>
        c.volumeMounts?.filter((mount) => isWithin(path, mount.mountPath)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
      for (const path of [posix.dirname(env.SQLITE_PATH!), env.SPOOL_DIR!]) {
        const mount = mountFor(path);
        expect(mount?.name, `${c.name}: ${path} is on the data volume`).to.equal(dataVolume!.name);
        expect(mount?.readOnly ?? false, `${c.name}: ${path} is writable`).to.equal(false);
      }
      // The model is the image's (MODEL_PATH as the Dockerfile sets it): a volume over it would hide a rebuilt model.
      expect(mountFor(env.MODEL_PATH!), `${c.name}: nothing mounted over ${env.MODEL_PATH}`).to.equal(undefined);
      expect(env.MODEL_PATH).to.equal(stageEnv(stageNamed(parseDockerfile(`${ROOT}Dockerfile`), 'runtime')).MODEL_PATH);
    }
  });

  it('hands the alert rules over as a generated ConfigMap, mounted where ALERT_RULES_PATH points, the same as deploy/alerts.json', function () {
    for (const c of pod.containers) {
      const path = envOf(c).ALERT_RULES_PATH!;
      const mount = c.volumeMounts?.find((candidate) => isWithin(path, candidate.mountPath));
      expect(mount?.readOnly, `${c.name}: ${path} on a read-only mount`).to.equal(true);
      const volume = pod.volumes?.find((candidate) => candidate.name === mount!.name);
      const rules = configMapNamed(volume!.configMap!.name!).data[basename(path)];
      expect(rules, `the ConfigMap holds ${basename(path)}`).to.be.a('string');
      expect(rules).to.equal(readFileSync(`${ROOT}deploy/alerts.json`, 'utf8'));
      expect(() => checkAlertRules(JSON.parse(rules!), 'deploy/k8s/alerts.json')).to.not.throw();
    }
  });

  it('configures both containers with variables Vigil knows and accepts, keys coming from a Secret that is not committed', function () {
    const known = new Set(Object.values(VARIABLES).map((variable) => variable.name));
    for (const c of pod.containers) {
      const env = envOf(c);
      expect(
        Object.keys(env).filter((name) => !known.has(name)),
        `${c.name}: unknown variables`,
      ).to.deep.equal([]);
      expect(
        c.envFrom?.some((source) => source.secretRef?.name === 'vigil-secrets'),
        `${c.name} reads the vigil-secrets Secret`,
      ).to.equal(true);
      // NODE_ENV=production needs both keys: with them, the configuration loads as the process would load it.
      expect(env.NODE_ENV).to.equal('production');
      const secrets = { MONITORING_API_KEY: 'k8s-test-monitoring-key-0001', ADMIN_API_KEY: 'k8s-test-admin-key-00000001' };
      expect(() => loadConfig({ ...env, ...secrets })).to.not.throw();
      expect(() => loadConfig(env)).to.throw(/MONITORING_API_KEY/);
    }
    expect(objects.filter((object) => object.kind === 'Secret')).to.deep.equal([]);
    // Both containers must agree on where the data is and which queue they share.
    const [api, worker] = [envOf(container('api')), envOf(container('worker'))];
    for (const name of ['SQLITE_PATH', 'SPOOL_DIR', 'QUEUE_NAME', 'REDIS_URL', 'MONITORING_STORE']) expect(api[name], name).to.equal(worker[name]);
  });

  it('routes the Service to the API container’s port, selecting the pod', function () {
    const service = one<IService>(objects, 'Service');
    const labels = deployment.spec!.template.metadata!.labels!;
    for (const [key, value] of Object.entries(service.spec!.selector!)) expect(labels[key], key).to.equal(value);
    const target = service.spec!.ports![0]!.targetPort;
    expect(container('api').ports?.some((port) => port.name === target || port.containerPort === target)).to.equal(true);
  });
});
