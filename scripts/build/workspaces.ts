import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A workspace package of this repository: its name and where its source is. */
export interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  /** The TypeScript the package's index is built from: `src/index.ts` (apps have none). */
  readonly sourceEntry: string | undefined;
}

interface Manifest {
  readonly name?: string;
  readonly workspaces?: readonly string[];
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/**
 * Every package the root package.json's `workspaces` names (`packages/*`,
 * `apps/*`: one level of `*`, which is all this repository uses), by name.
 */
export function workspacePackages(root: string): ReadonlyMap<string, WorkspacePackage> {
  const found = new Map<string, WorkspacePackage>();
  for (const pattern of readManifest(root).workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(root, pattern.slice(0, -2), entry.name))
      : [join(root, pattern)];
    for (const dir of dirs) {
      if (!existsSync(join(dir, 'package.json'))) continue;
      const { name } = readManifest(dir);
      if (name === undefined) continue;
      const entry = join(dir, 'src', 'index.ts');
      found.set(name, { name, dir, sourceEntry: existsSync(entry) ? entry : undefined });
    }
  }
  return found;
}

/** `@scope/name/sub/path` → `@scope/name`, `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}
