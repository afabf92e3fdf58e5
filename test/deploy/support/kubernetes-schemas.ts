import { dirname, join } from 'node:path';
import ts from 'typescript';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { KubeObject } from './kustomize-build';

interface KindModel {
  /** kubernetes-models' class: its validate() runs the schema generated from Kubernetes' OpenAPI document. */
  readonly validate: (object: KubeObject) => void;
  /** The module and interface of the same schema as TypeScript types. */
  readonly typeModule: string;
  readonly typeName: string;
}

const MODELS: Readonly<Record<string, KindModel>> = {
  'apps/v1/Deployment': { validate: (o) => new Deployment(o as never).validate(), typeModule: 'kubernetes-models/apps/v1/Deployment', typeName: 'IDeployment' },
  'v1/Service': { validate: (o) => new Service(o as never).validate(), typeModule: 'kubernetes-models/v1/Service', typeName: 'IService' },
  'v1/ConfigMap': { validate: (o) => new ConfigMap(o as never).validate(), typeModule: 'kubernetes-models/v1/ConfigMap', typeName: 'IConfigMap' },
  'v1/Secret': { validate: (o) => new Secret(o as never).validate(), typeModule: 'kubernetes-models/v1/Secret', typeName: 'ISecret' },
  'v1/PersistentVolumeClaim': {
    validate: (o) => new PersistentVolumeClaim(o as never).validate(),
    typeModule: 'kubernetes-models/v1/PersistentVolumeClaim',
    typeName: 'IPersistentVolumeClaim',
  },
};

const describe = (object: KubeObject) => `${object.kind}/${object.metadata?.name}`;

/** Each object against its schema (types, formats, required fields); the problems, one line each. */
export function schemaProblems(objects: readonly KubeObject[]): string[] {
  return objects.flatMap((object) => {
    const model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (model === undefined) return [`${describe(object)}: ${object.apiVersion} ${object.kind} has no schema here (add it to kubernetes-schemas.ts)`];
    try {
      model.validate(object);
      return [];
    } catch (error) {
      return [`${describe(object)}: ${(error as Error).message}`];
    }
  });
}

/**
 * Fields the schema does not have (a misspelt `readinesProbe`, a field at the
 * wrong level), which kubernetes-models' validators let through and
 * `kubectl apply` (strict field validation) refuses, as kubeconform -strict
 * would: every object is type-checked as an object literal of its
 * kubernetes-models interface, and TypeScript reports each excess property.
 */
export function unknownFieldProblems(objects: readonly KubeObject[], root: string): string[] {
  // In the repository, so that `kubernetes-models` resolves from node_modules; never written to disk.
  const fileName = join(root, 'test', 'deploy', 'support', '__manifests-as-types.ts');
  const known = objects.filter((object) => MODELS[`${object.apiVersion}/${object.kind}`] !== undefined);
  const text = known
    .map((object, i) => {
      const model = MODELS[`${object.apiVersion}/${object.kind}`]!;
      return `import type { ${model.typeName} as T${i} } from '${model.typeModule}';\nexport const object${i}: T${i} = ${JSON.stringify(object)};`;
    })
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => (name === fileName ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], { ...options, baseUrl: dirname(fileName) }, host);
  const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(fileName));
  return diagnostics.map((diagnostic) => {
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const object = known[Math.max(0, Math.floor(line / 2))];
    return `${object ? describe(object) : '?'}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}
