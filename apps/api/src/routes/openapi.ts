import { Router } from 'express';
import { docsAssets } from '../openapi/docs-assets';
import { buildOpenApiDocument, type OpenApiSources } from '../openapi/openapi-document';

/**
 * The reference page's own policy, on that page only: its own scripts and
 * styles (no inline ones), the document and "Try it out" from this origin,
 * Swagger UI's data: icons; nothing from elsewhere. Every other answer keeps
 * the API's `default-src 'none'` (security-headers.ts).
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

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
    res.setHeader('Content-Security-Policy', DOCS_CSP);
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
