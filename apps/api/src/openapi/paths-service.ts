import { DOCS_ASSET_NAMES } from './docs-assets';
import { json, schemaRef, type Paths, type ResponseObject } from './openapi-types';
import { operation, type DocumentContext } from './operation';
import { assetParameter } from './parameters';

/** What dashboard-router.ts serves under /dashboard/assets/ (a test fetches each one). */
const DASHBOARD_ASSET_NAMES = ['dashboard.js', 'dashboard.css', 'uPlot.iife.min.js', 'uPlot.min.css'] as const;

const page = (description: string): ResponseObject => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const asset: ResponseObject = {
  description: 'The file (JavaScript or CSS).',
  content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } },
};
const NO_SUCH_ASSET = { NOT_FOUND: 'no file of that name' } as const;

/** The probes, /metrics, and the pages for people with their files. */
export function servicePaths(context: DocumentContext): Paths {
  return {
    '/healthz': {
      get: operation(context, {
        operationId: 'healthz',
        summary: 'Liveness: 200 while the process runs, whatever its dependencies do',
        tag: 'service',
        area: 'probe',
        responses: { '200': { description: 'Alive.', content: json(schemaRef('Health')) } },
      }),
    },
    '/readyz': {
      get: operation(context, {
        operationId: 'readyz',
        summary: 'Readiness: whether to route traffic here, with each check',
        description: '200 `ready`, or `degraded` while Redis is down but the journal keeps the records; 503 `not_ready` or `shutting_down`.',
        tag: 'service',
        area: 'probe',
        responses: {
          '200': { description: 'Ready or degraded.', content: json(schemaRef('Readiness')) },
          '503': { description: 'Not ready (a check failed) or shutting down.', content: json(schemaRef('Readiness')) },
        },
      }),
    },
    '/metrics': {
      get: operation(context, {
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        tag: 'service',
        area: 'open',
        responses: { '200': { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } } },
      }),
    },
    '/dashboard': {
      get: operation(context, {
        operationId: 'dashboard',
        summary: 'The built-in dashboard page (its data calls carry the read key)',
        tag: 'service',
        area: 'open',
        responses: { '200': page('The page.') },
      }),
    },
    '/dashboard/assets/{name}': {
      get: operation(context, {
        operationId: 'dashboardAsset',
        summary: "A file of the dashboard page's (uPlot from node_modules)",
        tag: 'service',
        area: 'open',
        parameters: [assetParameter(DASHBOARD_ASSET_NAMES)],
        responses: { '200': asset },
        errors: NO_SUCH_ASSET,
      }),
    },
    '/openapi.json': {
      get: operation(context, {
        operationId: 'openapi',
        summary: "This document: every route, with /predict's body built from the loaded model's spec",
        tag: 'service',
        area: 'open',
        responses: { '200': { description: 'An OpenAPI 3.1 document.', content: json({ type: 'object' }) } },
      }),
    },
    '/docs': {
      get: operation(context, {
        operationId: 'docs',
        summary: 'An API reference page that renders this document (Swagger UI, served from node_modules)',
        tag: 'service',
        area: 'open',
        responses: { '200': page('The page.') },
      }),
    },
    '/docs/assets/{name}': {
      get: operation(context, {
        operationId: 'docsAsset',
        summary: "A file of the reference page's",
        tag: 'service',
        area: 'open',
        parameters: [assetParameter(DOCS_ASSET_NAMES)],
        responses: { '200': asset },
        errors: NO_SUCH_ASSET,
      }),
    },
  };
}
