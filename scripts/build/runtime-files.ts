import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SOURCE_FILES_DIR } from './source-location-plugin';
import type { WorkspacePackage } from './workspaces';

/** Not needed at run time: the TypeScript is in the bundle, the tests are not shipped. */
const SKIPPED = /\.ts$|^test$|^node_modules$/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.test(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * What a module that uses `import.meta.url` may read relative to it: the
 * other files of its folder (HTML, CSS, browser scripts, a .proto) and the
 * package.json of its workspace and of the root (a version read with
 * `createRequire`). They are copied to `<outDir>/files/<path in the repo>`,
 * where sourceLocationPlugin points those modules.
 */
export function runtimeFilesOf(root: string, readers: Iterable<string>, workspaces: Iterable<WorkspacePackage>): string[] {
  const files = new Set<string>([join(root, 'package.json')]);
  const packages = [...workspaces];
  for (const reader of readers) {
    for (const file of filesUnder(dirname(reader))) files.add(file);
    const owner = packages.find((workspace) => reader.startsWith(workspace.dir + '/'));
    if (owner !== undefined) files.add(join(owner.dir, 'package.json'));
  }
  return [...files].sort();
}

/** Copies each file to its mirrored place; returns the copies' paths relative to outDir. */
export function copyRuntimeFiles(root: string, outDir: string, files: readonly string[]): string[] {
  return files.map((file) => {
    const target = join(outDir, SOURCE_FILES_DIR, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    return relative(outDir, target);
  });
}
