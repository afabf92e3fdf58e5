import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { dependencyPlugin, type ExternalImports } from './dependency-plugin';
import { copyRuntimeFiles, runtimeFilesOf } from './runtime-files';
import { SOURCE_FILES_DIR, sourceLocationPlugin } from './source-location-plugin';
import { workspacePackages } from './workspaces';

/** The processes the images run, and the threads they start, by the name of their bundle (`dist/<name>.mjs`). */
export const ENTRY_POINTS = {
  api: 'apps/api/src/main.ts',
  worker: 'apps/worker/src/main.ts',
  cli: 'apps/cli/src/main.ts',
  // The worker's prediction-insert thread: SqliteInsertThread loads it from beside dist/worker.mjs (its INSERT_THREAD_BUNDLE).
  'sqlite-inserts': 'packages/stores/src/sqlite/insert-thread/insert-thread-main.ts',
} as const;

export type BundleName = keyof typeof ENTRY_POINTS;

/** The file a bundle is written to, relative to the output folder. */
export const bundleFile = (name: BundleName): string => `${name}.mjs`;

export interface BuildOptions {
  /** The repository: where package.json and the workspaces are. */
  readonly root: string;
  /** Where the bundles go (`dist/` for `npm run build`); its earlier bundles and files are replaced. */
  readonly outDir: string;
}

export interface BuildSummary {
  /** Each bundle's path, relative to outDir. */
  readonly bundles: Readonly<Record<BundleName, string>>;
  /** The files copied for modules that read them at run time, relative to outDir. */
  readonly runtimeFiles: readonly string[];
  /** The packages the bundles import from node_modules at run time. */
  readonly externalPackages: readonly string[];
}

/**
 * Compiles the API, the worker and the CLI, each with the workspace packages
 * it uses, to one ES module apiece that `node` runs as it is (no tsx, no
 * TypeScript at run time), with a source map so stack traces name the
 * TypeScript lines (`node --enable-source-maps`).
 */
export async function buildBundles(options: BuildOptions): Promise<BuildSummary> {
  const { root, outDir } = options;
  const names = Object.keys(ENTRY_POINTS) as BundleName[];
  for (const name of names) {
    for (const file of [bundleFile(name), `${bundleFile(name)}.map`]) rmSync(join(outDir, file), { force: true });
  }
  rmSync(join(outDir, SOURCE_FILES_DIR), { recursive: true, force: true });

  const workspaces = workspacePackages(root);
  const external: ExternalImports = { packages: new Set() };
  const readers = new Set<string>();
  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(names.map((name) => [name, join(root, ENTRY_POINTS[name])])),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    // esbuild renames clashing top-level names across modules; keep functions' and classes' .name as written (error messages, logs).
    keepNames: true,
    logLevel: 'warning',
    plugins: [dependencyPlugin(workspaces, external), sourceLocationPlugin(root, readers)],
  });

  const runtimeFiles = copyRuntimeFiles(root, outDir, runtimeFilesOf(root, readers, workspaces.values()));
  return {
    bundles: Object.fromEntries(names.map((name) => [name, bundleFile(name)])) as Record<BundleName, string>,
    runtimeFiles,
    externalPackages: [...external.packages].sort(),
  };
}
