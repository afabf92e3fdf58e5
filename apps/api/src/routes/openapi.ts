import { Router } from 'express';
import { docsAssets } from '../openapi/docs-assets';
import { buildOpenApiDocument, type OpenApiSources } from '../openapi/openapi-document';
import { PAGE_CSP } from '../security/page-csp';

/**
 * GET /openapi.json, the OpenAPI 3.1 document of this app (built once, from
 * the loaded model's spec and the app's settings), and GET /docs, a page
 * rendering it with Swagger UI from node_modules, with its files under
 * /docs/assets/. Both are public, like /model: they say what the API takes,
 * and the keys that guard the routes still guard them.
 */
export function openapiRouter(sources: OpenApiSources): Router {
  const router = Router();
  const document = JSON.stringify(buildOpenApiDocument(sources));
  const { page, assets } = docsAssets();

  router.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json; charset=utf-8').send(document);
  });

  router.get('/docs', (_req, res) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.type(page.type).send(page.body);
  });

  router.get('/docs/assets/:name', (req, res, next) => {
    const asset = assets.get(req.params.name ?? '');
    if (asset === undefined) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.type(asset.type).send(asset.body);
  });

  return router;
}
