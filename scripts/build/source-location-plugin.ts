import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Plugin } from 'esbuild';

/** The folder, beside the bundles, that mirrors the source tree for the files modules read at run time. */
export const SOURCE_FILES_DIR = 'files';

/**
 * Keeps each bundled module's `import.meta.url` pointing where its source
 * was, inside `SOURCE_FILES_DIR`: `apps/api/src/openapi/docs-assets.ts` sees
 * `<dist>/files/apps/api/src/openapi/docs-assets.ts`. So every path a module
 * builds from it (`new URL('./onnx-subset.proto', import.meta.url)`,
 * `join(here, 'dashboard.html')`, `createRequire(import.meta.url)('../../package.json')`)
 * lands on the copy the build puts there (see runtime-files.ts), unchanged
 * and without a rewrite of those modules; `createRequire(...).resolve('uplot/...')`
 * walks up from there to the `node_modules` beside `dist/`, as it did from the source.
 *
 * `import.meta.dirname` and `import.meta.filename` are refused: their value would be
 * the build machine's path baked into the bundle.
 */
export function sourceLocationPlugin(root: string, readers: Set<string>): Plugin {
  return {
    name: 'vigil-source-location',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (/import\.meta\.(dirname|filename)\b/.test(source)) {
          return { errors: [{ text: 'import.meta.dirname/filename cannot be bundled: derive the path from import.meta.url' }] };
        }
        if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
        readers.add(args.path);
        const mirrored = `./${SOURCE_FILES_DIR}/${relative(root, args.path).split(sep).join('/')}`;
        const location = `new URL(${JSON.stringify(mirrored)}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', location), loader: 'ts' };
      });
    },
  };
}
