import { createRequire } from 'node:module';
import type { ModelSpec } from '@vigil/model';
import type { SecurityOptions } from '../security/security-options';
import { documentedAccess } from './access';
import { ERROR_SCHEMA } from './error-responses';
import { FEEDBACK_SCHEMAS } from './feedback-schemas';
import { featuresSchema, predictRequestSchemas } from './feature-schemas';
import { MONITORING_SCHEMAS } from './monitoring-schemas';
import type { OpenApiDocument } from './openapi-types';
import type { DocumentContext } from './operation';
import { adminPaths } from './paths-admin';
import { exportPaths } from './paths-export';
import { monitoringPaths } from './paths-monitoring';
import { servicePaths } from './paths-service';
import { servingPaths } from './paths-serving';
import { predictionSchemas } from './prediction-schemas';
import { QUALITY_SCHEMAS } from './quality-schemas';
import { SERVICE_SCHEMAS } from './service-schemas';

/**
 * What the document is built from: the loaded model and the app's settings.
 * create-app's AppDependencies fits it as it is; the optional services only
 * say whether their routes are mounted.
 */
export interface OpenApiSources {
  readonly model: { readonly spec: ModelSpec };
  readonly maxInstancesPerRequest: number;
  readonly bodyLimitBytes: number;
  readonly security?: SecurityOptions | undefined;
  /** Present: /monitoring/drift and /monitoring/drift/timeline are served. */
  readonly drift?: unknown;
  /** Present: /monitoring/alerts is served. */
  readonly alerting?: unknown;
  /** Present: bull-board is served at /admin/queues. */
  readonly queue?: unknown;
}

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

function describe(sources: OpenApiSources, keys: readonly string[]): string {
  const { spec } = sources.model;
  return [
    'Prediction logging and model monitoring for an ONNX model behind an HTTP API.',
    `**Served model:** \`${spec.model_version}\`, P(fraud) from ${spec.features.length} features ` +
      `(${spec.features.map((feature) => `\`${feature.name}\``).join(', ')}); predicted 1 when the probability is at least ${spec.threshold}. ` +
      `A batch holds up to ${sources.maxInstancesPerRequest} instances; a body up to ${sources.bodyLimitBytes} bytes.`,
    '**Errors** are JSON, `{"error": {"code", "message", "details"}}` (the `Error` schema); each code always has the same status. ' +
      'OPTIONS on any path answers 405 `METHOD_NOT_ALLOWED`, a path not listed here 404 `NOT_FOUND`.',
    keys.length === 0
      ? '**Keys:** none is set on this server; every route is open.'
      : `**Keys** set on this server: ${keys.join(', ')} (as \`Authorization: Bearer <key>\`; see each route).`,
  ].join('\n\n');
}

/** The OpenAPI 3.1 document of every route this app serves, built once when the app is. */
export function buildOpenApiDocument(sources: OpenApiSources): OpenApiDocument {
  const { spec } = sources.model;
  const security = sources.security ?? {};
  const access = documentedAccess(security);
  const context: DocumentContext = { access, rateLimitPerMinute: security.rateLimitPerMinute };
  const limits = { spec, maxInstances: sources.maxInstancesPerRequest, bodyLimitBytes: sources.bodyLimitBytes };
  return {
    openapi: '3.1.1',
    info: { title: 'Vigil API', version, description: describe(sources, access.variables) },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: 'serving', description: 'Predictions, their labels, and the model.' },
      { name: 'monitoring', description: 'What the logged predictions say: latency, classes, drift, quality, alerts, the log itself.' },
      { name: 'admin', description: 'The dead-letter queue and the queue board.' },
      { name: 'service', description: 'Probes, metrics, and the pages for people.' },
    ],
    paths: {
      ...servingPaths(context, limits),
      ...monitoringPaths(context, { drift: sources.drift !== undefined, alerts: sources.alerting !== undefined }),
      ...exportPaths(context),
      ...adminPaths(context, { queueBoard: sources.queue !== undefined }),
      ...servicePaths(context),
    },
    components: {
      schemas: {
        Error: ERROR_SCHEMA,
        Features: featuresSchema(spec),
        ...predictRequestSchemas(sources.maxInstancesPerRequest),
        ...predictionSchemas(spec, sources.maxInstancesPerRequest),
        ...FEEDBACK_SCHEMAS,
        ...MONITORING_SCHEMAS,
        ...QUALITY_SCHEMAS,
        ...SERVICE_SCHEMAS,
      },
      securitySchemes: access.schemes,
    },
  };
}
