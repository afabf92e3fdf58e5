import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS } from '@vigil/export';
import type { Paths, ParameterObject } from './openapi-types';
import { operation, type DocumentContext } from './operation';
import { MODEL_VERSION, windowParameter } from './parameters';

const FORMAT: ParameterObject = {
  name: 'format',
  in: 'query',
  description: 'The file format: CSV (RFC 4180, a header row), JSON lines (one object per prediction, `features` nested) or Parquet.',
  schema: { type: 'string', enum: [...EXPORT_FORMATS], default: 'csv' },
};

/** GET /monitoring/export: a file, not JSON, so it is written out here rather than with the JSON reads of paths-monitoring. */
export function exportPaths(context: DocumentContext): Paths {
  const file = { schema: { type: 'string', contentMediaType: 'application/octet-stream' } };
  return {
    '/monitoring/export': {
      get: operation(context, {
        operationId: 'getExport',
        summary: 'The stored predictions of a window with their current labels, streamed as a file',
        description:
          'Columns: prediction_id, timestamp, model_version, prediction, probability, latency_ms, instance_id, seq, (trace_id,) ' +
          'label, labeled_at, then one per feature of the served model. Streamed from the monitoring store in one snapshot; ' +
          'a failure after the first byte cuts the response (no final chunk), so a short file never looks whole.',
        tag: 'monitoring',
        area: 'read',
        parameters: [windowParameter('7d'), FORMAT, MODEL_VERSION],
        responses: {
          '200': {
            description: 'The file, with `Content-Disposition: attachment; filename="vigil-export-<window>-<time>.<format>"`.',
            content: Object.fromEntries(EXPORT_FORMATS.map((format) => [EXPORT_CONTENT_TYPES[format], file])),
          },
        },
        errors: {
          INVALID_QUERY_PARAMETER: 'a parameter is malformed or out of range, or unknown; `details.parameter` names it',
          NOT_READY: 'this process has no export source',
        },
      }),
    },
  };
}
