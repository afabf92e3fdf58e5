import { Router } from 'express';
import {
  DestinationClosedError,
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  exportFileName,
  isExportFormat,
  windowStartIso,
  writeExport,
  type ExportFormat,
  type ExportSource,
} from '@vigil/export';
import type { Logger } from '@vigil/metrics';
import { MonitoringError, parseModelVersion, parseWindow } from '@vigil/monitoring';
import { ApiError } from '../api-errors';
import { onlyParameters } from './query-parameters';

function parseFormat(raw: unknown): ExportFormat {
  if (raw === undefined) return 'csv';
  if (isExportFormat(raw)) return raw;
  throw new MonitoringError('INVALID_QUERY_PARAMETER', `format must be one of ${EXPORT_FORMATS.join(', ')}`, {
    parameter: 'format',
    received: typeof raw === 'string' ? raw.slice(0, 64) : typeof raw,
    allowed: EXPORT_FORMATS,
  });
}

export interface ExportRouteOptions {
  /** The monitoring store's rows (openExportSource); undefined: the endpoint answers 503. */
  readonly source: ExportSource | undefined;
  /** The served model's features: one column each in CSV and Parquet. */
  readonly featureNames: readonly string[];
  readonly logger: Logger;
}

/**
 * GET /monitoring/export?window=7d&format=csv|jsonl|parquet[&model_version=…]: the stored predictions
 * of the window with their labels, streamed as a file (@vigil/export). Under /monitoring, so the read
 * key guards it. A failure before the first byte is an error answer like any other; after it, the
 * response is cut (no final chunk), so no client takes a short file for a whole one.
 */
export function exportRouter(options: ExportRouteOptions): Router {
  const { source, featureNames, logger } = options;
  const router = Router();
  router.get('/monitoring/export', async (req, res) => {
    onlyParameters(req, ['window', 'format', 'model_version']);
    const window = parseWindow(req.query.window, '7d');
    const format = parseFormat(req.query.format);
    const modelVersion = parseModelVersion(req.query.model_version);
    if (source === undefined) {
      throw new ApiError('NOT_READY', 'exports are not served by this process (it has no export source)', { where: 'export' });
    }
    res.status(200);
    res.setHeader('content-type', EXPORT_CONTENT_TYPES[format]);
    res.setHeader('content-disposition', `attachment; filename="${exportFileName(format, window.label)}"`);
    res.setHeader('cache-control', 'no-store');
    // HEAD: the headers a GET would send, without reading every row for a body nobody receives.
    if (req.method === 'HEAD') return void res.end();
    const query = { sinceIso: windowStartIso(window.ms), modelVersion };
    const fields = { format, window: window.label, since: query.sinceIso, model_version: modelVersion ?? null };
    try {
      const { rows, bytes } = await writeExport(source, { format, query, featureNames }, res);
      logger.info('export streamed', { ...fields, rows, bytes });
    } catch (error) {
      // Nothing sent yet: the error boundary answers in the usual JSON (its content type replaces the file's).
      if (!res.headersSent) {
        res.removeHeader('content-disposition');
        throw error;
      }
      if (error instanceof DestinationClosedError) logger.warn('export stopped: the client went away', fields);
      else logger.error('export failed mid-stream; the response was cut', { ...fields, error: (error as Error).message, stack: (error as Error).stack });
    }
  });
  return router;
}
