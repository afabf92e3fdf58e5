/**
 * `npm run build [-- --out-dir DIR]`: the API, the worker and the CLI as
 * JavaScript in dist/ (api.mjs, worker.mjs, cli.mjs, the worker's insert thread
 * sqlite-inserts.mjs, their source maps, and
 * under dist/files/ the HTML, CSS, scripts and .proto they read at run time).
 * Run them with `node dist/api.mjs` from a folder whose node_modules holds
 * the production dependencies (`npm ci --omit=dev`): that is what the image
 * does (Dockerfile). Exit: 0 built, 1 the build failed, 2 usage.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundles } from './build/build-bundles';

const say = (line: string) => process.stderr.write(`build: ${line}\n`);
const root = resolve(new URL('..', import.meta.url).pathname);

let outDir: string;
try {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } }, strict: true, allowPositionals: false });
  outDir = resolve(root, values['out-dir']);
} catch (error) {
  say((error as Error).message);
  say('usage: npm run build [-- --out-dir DIR]');
  process.exit(2);
}

try {
  const started = performance.now();
  const summary = await buildBundles({ root, outDir });
  say(`${Object.values(summary.bundles).join(', ')} in ${outDir} (${Math.round(performance.now() - started)} ms)`);
  say(`${summary.runtimeFiles.length} runtime files under files/; from node_modules at run time: ${summary.externalPackages.join(', ')}`);
} catch (error) {
  // esbuild has already printed each error with its file and line.
  say(`failed: ${(error as Error).message.split('\n')[0]}`);
  process.exit(1);
}
