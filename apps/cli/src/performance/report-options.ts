import { parseArgs } from 'node:util';
import { parseBucket, parseModelVersion, parseThreshold, parseWindow, type TimeWindow } from '@vigil/monitoring';

export interface ReportOptions {
  readonly window: TimeWindow;
  readonly bucket: ReturnType<typeof parseBucket>;
  readonly modelVersion: string | undefined;
  readonly threshold: number | undefined;
  readonly out: string;
}

/** Windows up to this long get hourly buckets by default; longer ones daily, so the timeline has a readable number of points. */
const HOURLY_UP_TO_MS = 2 * 86_400_000;

/**
 * The options of `performance report`, checked by the same parsers as
 * GET /monitoring/performance's query parameters, so the CLI and the API
 * accept and refuse the same values with the same words. A string is the
 * problem, for the usage message.
 */
export function parseReportOptions(args: readonly string[]): ReportOptions | string {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        window: { type: 'string', default: '7d' },
        bucket: { type: 'string' },
        'model-version': { type: 'string' },
        threshold: { type: 'string' },
        out: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) return `unexpected argument ${positionals[0]}`;
    if (values.out === undefined || values.out === '') return '--out is required';
    const window = parseWindow(values.window);
    return {
      window,
      bucket: parseBucket(values.bucket ?? (window.ms <= HOURLY_UP_TO_MS ? '1h' : '1d'), window),
      modelVersion: parseModelVersion(values['model-version']),
      threshold: parseThreshold(values.threshold),
      out: values.out,
    };
  } catch (error) {
    // parseArgs names the unknown option; the monitoring parsers name the parameter (as the query parameter's name).
    return (error as Error).message;
  }
}
