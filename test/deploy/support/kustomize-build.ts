import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** A Kubernetes object as YAML gives it: checked by kubernetes-schemas.ts, not typed here. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string } } & Record<string, unknown>;

interface GeneratorEntry {
  readonly name: string;
  readonly envs?: readonly string[];
  readonly files?: readonly string[];
  readonly literals?: readonly string[];
}

interface ImageEntry {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
}

interface Kustomization {
  readonly resources?: readonly string[];
  readonly configMapGenerator?: readonly GeneratorEntry[];
  readonly images?: readonly ImageEntry[];
}

/** The fields this renderer implements; any other makes it refuse rather than render something kustomize would not. */
const UNDERSTOOD = new Set(['apiVersion', 'kind', 'resources', 'configMapGenerator', 'images']);

/** KEY=value lines, `#` comments and blank lines skipped: kustomize's `envs` format. */
export function parseEnvFile(text: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const at = trimmed.indexOf('=');
    if (at <= 0) throw new Error(`env file line ${JSON.stringify(line)}: expected KEY=value`);
    data[trimmed.slice(0, at)] = trimmed.slice(at + 1);
  }
  return data;
}

function generateConfigMap(dir: string, entry: GeneratorEntry): KubeObject {
  const data: Record<string, string> = {};
  for (const env of entry.envs ?? []) Object.assign(data, parseEnvFile(readFileSync(join(dir, env), 'utf8')));
  for (const file of entry.files ?? []) {
    const [key, path] = file.includes('=') ? file.split('=', 2) : [basename(file), file];
    data[key!] = readFileSync(join(dir, path!), 'utf8');
  }
  for (const literal of entry.literals ?? []) {
    const at = literal.indexOf('=');
    data[literal.slice(0, at)] = literal.slice(at + 1);
  }
  // As kustomize does (not with its exact hash): the name carries a hash of the content, so a change rolls the pods.
  const hash = createHash('sha256')
    .update(JSON.stringify({ name: entry.name, data }))
    .digest('hex')
    .slice(0, 10);
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${entry.name}-${hash}` }, data };
}

/** Applies `rename` to every ConfigMap name a pod template refers to, and `image` to every container image. */
function rewritePodReferences(node: unknown, rename: (name: string) => string, image: (ref: string) => string): void {
  if (Array.isArray(node)) {
    for (const item of node) rewritePodReferences(item, rename, image);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as Record<string, unknown>;
  for (const key of ['configMap', 'configMapRef', 'configMapKeyRef']) {
    const ref = object[key] as { name?: string } | undefined;
    if (ref !== undefined && typeof ref.name === 'string') ref.name = rename(ref.name);
  }
  for (const key of ['containers', 'initContainers']) {
    const containers = object[key];
    if (Array.isArray(containers)) for (const container of containers as { image?: string }[]) if (container.image) container.image = image(container.image);
  }
  for (const value of Object.values(object)) rewritePodReferences(value, rename, image);
}

function imageTransformer(images: readonly ImageEntry[]): (ref: string) => string {
  return (ref) => {
    const name = ref.replace(/[:@].*$/, '');
    const entry = images.find((candidate) => candidate.name === name);
    if (entry === undefined) return ref;
    return `${entry.newName ?? name}:${entry.newTag ?? (ref.includes(':') ? ref.split(':')[1] : 'latest')}`;
  };
}

/**
 * `kustomize build <dir>` for the subset this repository uses (resources,
 * configMapGenerator with envs/files/literals, images), since neither
 * kustomize nor kubectl is installed here. It refuses any other field, so the
 * test cannot pass on a rendering that ignores part of the kustomization.
 */
export function kustomizeBuild(dir: string): KubeObject[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization & Record<string, unknown>;
  const unknown = Object.keys(kustomization).filter((key) => !UNDERSTOOD.has(key));
  if (unknown.length > 0) throw new Error(`kustomization.yaml uses ${unknown.join(', ')}, which test/deploy/support/kustomize-build.ts does not implement`);

  const resources = (kustomization.resources ?? []).flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      return document.toJS() as KubeObject;
    }),
  );
  const generated = (kustomization.configMapGenerator ?? []).map((entry) => generateConfigMap(dir, entry));
  const names = new Map((kustomization.configMapGenerator ?? []).map((entry, i) => [entry.name, generated[i]!.metadata.name]));
  for (const object of resources) rewritePodReferences(object, (name) => names.get(name) ?? name, imageTransformer(kustomization.images ?? []));
  return [...resources, ...generated];
}
