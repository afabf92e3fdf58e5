import { isBuiltin } from 'node:module';
import type { Plugin } from 'esbuild';
import { packageNameOf, type WorkspacePackage } from './workspaces';

/** What the bundles leave to `node_modules` at run time, found while bundling. */
export interface ExternalImports {
  readonly packages: Set<string>;
}

/**
 * Decides, for each bare import, what goes into the bundle: the workspace
 * packages (`@vigil/*`) are compiled in from their TypeScript source, whatever
 * their `exports` map says (a package published with a built `dist/` is
 * still bundled from the source it was built from); every other package stays
 * an `import` that node resolves from `node_modules`, as `npm ci --omit=dev`
 * installs it: native addons (better-sqlite3, onnxruntime-node) cannot be
 * bundled, and keeping the rest out keeps their licences, their own file
 * reads and their versions exactly as the lock file has them.
 */
export function dependencyPlugin(workspaces: ReadonlyMap<string, WorkspacePackage>, external: ExternalImports): Plugin {
  return {
    name: 'vigil-dependencies',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const name = packageNameOf(args.path);
        const workspace = workspaces.get(name);
        if (workspace === undefined) {
          external.packages.add(name);
          return { path: args.path, external: true };
        }
        if (name !== args.path || workspace.sourceEntry === undefined) {
          return { errors: [{ text: `${args.path}: import a workspace package by its name only; its src/index.ts is what gets bundled` }] };
        }
        return { path: workspace.sourceEntry };
      });
    },
  };
}
