// Builds @vigil/prediction-log as a package another project can install: one
// ESM bundle of src/index.ts with the workspace packages it imports
// (@vigil/queue, @vigil/records) inlined, one bundled .d.ts, and a manifest
// whose exports point at them. Inside the repository the workspace manifest
// keeps pointing at src/index.ts, so tsx and tsc work there without a build.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateDtsBundle } from 'dts-bundle-generator';
import { build, type Plugin } from 'esbuild';

/** packages/prediction-log. */
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface WorkspaceManifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly license?: string;
  readonly engines?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** The package.json of the packed package. */
export interface PublishedManifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly license?: string;
  readonly type: 'module';
  readonly engines?: Readonly<Record<string, string>>;
  readonly exports: Readonly<Record<string, unknown>>;
  readonly types: string;
  readonly files: readonly string[];
  readonly sideEffects: false;
  readonly dependencies: Readonly<Record<string, string>>;
}

export interface BuiltPackage {
  /** The folder holding package.json, README.md and dist/: what `npm pack` packs. */
  readonly dir: string;
  readonly manifest: PublishedManifest;
}

function readManifest(): WorkspaceManifest {
  return JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as WorkspaceManifest;
}

/** `bullmq` of `bullmq/dist/x`, `@scope/name` of `@scope/name/x`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

const BUILTINS = new Set(builtinModules);
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || BUILTINS.has(packageNameOf(specifier));

/**
 * Bundles the workspace packages (they are not published) and leaves every
 * other package to the installer: a bare import that is neither a built-in
 * nor @vigil/* is external, and becomes a dependency of the manifest.
 */
const workspaceInlined: Plugin = {
  name: 'vigil-workspace-inlined',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@vigil/') ? undefined : { path: args.path, external: true }));
  },
};

/** Writes dist/index.js and returns the packages it imports (built-ins left out). */
async function bundle(outFile: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(PACKAGE_DIR, 'src/index.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [workspaceInlined],
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  return [...new Set(imports.filter((specifier) => !isBuiltin(specifier)).map(packageNameOf))].sort();
}

/**
 * The dependencies of the packed package: each package the bundle imports,
 * with the range the workspace manifest gives it. A package the bundle needs
 * and the manifest does not list stops the build, rather than shipping a
 * package that fails on import.
 */
export function publishedDependencies(imported: readonly string[], declared: Readonly<Record<string, string>>): Record<string, string> {
  const missing = imported.filter((name) => declared[name] === undefined);
  if (missing.length > 0) {
    throw new Error(`the bundle imports ${missing.join(', ')}, which packages/prediction-log/package.json does not list in "dependencies"`);
  }
  return Object.fromEntries(imported.map((name) => [name, declared[name] as string]));
}

/** One .d.ts with the types of @vigil/records and @vigil/queue inlined: those packages are not shipped. */
function declarations(): string {
  const [text] = generateDtsBundle(
    [
      {
        filePath: join(PACKAGE_DIR, 'src/index.ts'),
        libraries: { inlinedLibraries: ['@vigil/records', '@vigil/queue'] },
        output: { noBanner: true, exportReferencedTypes: false },
      },
    ],
    { preferredConfigPath: join(PACKAGE_DIR, 'tsconfig.build.json') },
  );
  if (text === undefined) throw new Error('dts-bundle-generator produced no declarations');
  const unshipped = text.match(/(?:from\s+|import\()['"](@vigil\/[^'"]+)['"]/);
  if (unshipped !== null) throw new Error(`the declarations still import ${unshipped[1]}, which is not shipped`);
  return text;
}

export function publishedManifest(workspace: WorkspaceManifest, dependencies: Record<string, string>): PublishedManifest {
  return {
    name: workspace.name,
    version: workspace.version,
    ...(workspace.description === undefined ? {} : { description: workspace.description }),
    ...(workspace.license === undefined ? {} : { license: workspace.license }),
    type: 'module',
    ...(workspace.engines === undefined ? {} : { engines: workspace.engines }),
    exports: {
      // `default` too: Node >= 20.19 also loads this ESM bundle with require().
      '.': { types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' },
      './package.json': './package.json',
    },
    types: './dist/index.d.ts',
    files: ['dist', 'README.md'],
    sideEffects: false,
    dependencies,
  };
}

/** Builds the installable package into `dir` (created; its dist/ replaced). */
export async function buildPackage(dir: string): Promise<BuiltPackage> {
  const workspace = readManifest();
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  mkdirSync(join(dir, 'dist'), { recursive: true });
  const imported = await bundle(join(dir, 'dist/index.js'));
  const manifest = publishedManifest(workspace, publishedDependencies(imported, workspace.dependencies ?? {}));
  writeFileSync(join(dir, 'dist/index.d.ts'), declarations());
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(PACKAGE_DIR, 'README.md'), join(dir, 'README.md'));
  return { dir, manifest };
}

/**
 * Builds the package in a scratch folder, packs it with `npm pack` and moves
 * the tarball to `tarball`; the scratch folder is removed. Resolves to the
 * tarball's path.
 */
export async function packPackage(tarball: string): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'vigil-prediction-log-pack-'));
  try {
    const { dir } = await buildPackage(join(scratch, 'package'));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    // From the scratch folder, so no .npmrc or workspace of this repository applies.
    const { stdout } = await promisify(execFile)(npm, ['pack', dir, '--json', '--pack-destination', scratch], { cwd: scratch });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    if (packed === undefined) throw new Error('npm pack reported no tarball');
    mkdirSync(dirname(resolve(tarball)), { recursive: true });
    // A copy, not a rename: the scratch folder may be on another filesystem.
    copyFileSync(join(scratch, packed.filename), resolve(tarball));
    return resolve(tarball);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
