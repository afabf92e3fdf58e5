import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type Response } from 'express';
import { PAGE_CSP } from '../security/page-csp';

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const uplot = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

/** Read once at start-up: a missing file stops the API here, not on a user's first visit. */
function loadAssets(): { page: Asset; assets: ReadonlyMap<string, Asset> } {
  const file = (path: string, type: string): Asset => ({ body: readFileSync(path), type });
  return {
    page: file(join(here, 'dashboard.html'), 'text/html; charset=utf-8'),
    assets: new Map([
      ['dashboard.js', file(join(here, 'dashboard.js'), 'text/javascript; charset=utf-8')],
      ['dashboard.css', file(join(here, 'dashboard.css'), 'text/css; charset=utf-8')],
      ['uPlot.iife.min.js', file(join(uplot, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8')],
      ['uPlot.min.css', file(join(uplot, 'uPlot.min.css'), 'text/css; charset=utf-8')],
    ]),
  };
}

/**
 * GET /dashboard (a page for people without Grafana) and its files under
 * /dashboard/assets/ (uPlot comes from node_modules, nothing from the
 * internet). The page is public; its data calls (/monitoring/timeseries and
 * the other /monitoring routes) carry the monitoring key.
 */
export function dashboardRouter(): Router {
  const router = Router();
  const { page, assets } = loadAssets();
  const send = (res: Response, asset: Asset) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.type(asset.type).send(asset.body);
  };

  router.get('/dashboard', (_req, res) => send(res, page));

  router.get('/dashboard/assets/:name', (req, res, next) => {
    const asset = assets.get(req.params.name ?? '');
    if (asset === undefined) return next();
    send(res, asset);
  });

  return router;
}
