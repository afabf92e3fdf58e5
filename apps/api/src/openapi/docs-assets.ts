import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the reference page is made of, read into memory. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * Only these files are served, by name: not swagger-ui-dist's whole folder,
 * whose index.html and swagger-initializer.js carry an inline script and
 * point at a demo document elsewhere.
 */
const FILES: Readonly<Record<string, readonly [path: string, type: string]>> = {
  'swagger-ui.css': [join(swaggerUi, 'swagger-ui.css'), CSS],
  'swagger-ui-bundle.js': [join(swaggerUi, 'swagger-ui-bundle.js'), JS],
  'docs.css': [join(here, 'docs.css'), CSS],
  'docs-init.js': [join(here, 'docs-init.js'), JS],
};

/** The names under /docs/assets/. */
export const DOCS_ASSET_NAMES: readonly string[] = Object.keys(FILES);

let loaded: { readonly page: Asset; readonly assets: ReadonlyMap<string, Asset> } | undefined;

/**
 * The page and its files, read on first use (the router calls this when it
 * is built, so a missing file stops start-up, not a visitor's first look)
 * and kept for the process: Swagger UI's bundle is a megabyte and a half.
 */
export function docsAssets(): { readonly page: Asset; readonly assets: ReadonlyMap<string, Asset> } {
  loaded ??= {
    page: { body: readFileSync(join(here, 'docs.html')), type: 'text/html; charset=utf-8' },
    assets: new Map(Object.entries(FILES).map(([name, [path, type]]) => [name, { body: readFileSync(path), type }])),
  };
  return loaded;
}
