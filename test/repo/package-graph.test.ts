import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

/**
 * The shape of the workspace, guarded: every package declares what it
 * imports, apps and packages reach each other only through a package's
 * index (its `exports` map), and the package graph has no cycle.
 */
const ROOT = new URL('../../', import.meta.url).pathname;

interface Workspace {
  readonly name: string;
  readonly dir: string;
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
  readonly exports: unknown;
}

function workspaces(): Workspace[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(ROOT, group)).map((entry) => {
      const dir = join(ROOT, group, entry);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
        exports?: unknown;
      };
      return {
        name: pkg.name,
        dir,
        dependencies: Object.keys(pkg.dependencies ?? {}),
        devDependencies: Object.keys(pkg.devDependencies ?? {}),
        exports: pkg.exports,
      };
    }),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(entry) ? [path] : [];
  });
}

/** Bare package names a file imports (node: built-ins and relative paths left out). */
function importedPackages(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const names: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'".][^'"]*)['"]/g)) {
    const spec = match[1]!;
    if (spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.push(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return names;
}

describe('workspace shape', () => {
  const all = workspaces();

  it('declares in each package.json every package its source and tests import', () => {
    const undeclared: string[] = [];
    for (const ws of all) {
      for (const file of sourceFiles(ws.dir)) {
        // Tests and build scripts (a package's build/, never shipped) may use its devDependencies; its source only its dependencies.
        const devOnly = file.includes('/test/') || file.includes('/build/');
        const declared = devOnly ? [...ws.dependencies, ...ws.devDependencies] : ws.dependencies;
        for (const name of importedPackages(file)) {
          if (name !== ws.name && !declared.includes(name)) undeclared.push(`${file.slice(ROOT.length)} imports ${name}`);
        }
      }
    }
    expect(undeclared).to.deep.equal([]);
  });

  it('gives every package an exports map, so nothing reaches into another package’s src/', () => {
    const packages = all.filter((ws) => ws.dir.includes('/packages/'));
    expect(packages.filter((ws) => ws.exports === undefined).map((ws) => ws.name)).to.deep.equal([]);
    const deep: string[] = [];
    for (const ws of all) {
      for (const file of sourceFiles(ws.dir)) {
        if (/from\s+['"]@vigil\/[a-z-]+\//.test(readFileSync(file, 'utf8'))) deep.push(file.slice(ROOT.length));
      }
    }
    expect(deep).to.deep.equal([]);
  });

  it('has no cycle among the workspace packages (runtime dependencies)', () => {
    const edges = new Map(all.map((ws) => [ws.name, ws.dependencies.filter((name) => name.startsWith('@vigil/'))]));
    const cycles: string[] = [];
    const visit = (name: string, path: readonly string[]) => {
      if (path.includes(name)) {
        cycles.push([...path.slice(path.indexOf(name)), name].join(' → '));
        return;
      }
      for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
    };
    for (const name of edges.keys()) visit(name, []);
    expect(cycles).to.deep.equal([]);
  });
});
