import type { ExportFormat } from './export-types';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl', 'parquet'];

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** The media type of each format (Parquet's as registered with IANA in 2024). */
export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/x-ndjson; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** A file name for an export: `vigil-export-<window>-<UTC time to the second>.<format>`, e.g. vigil-export-7d-20261127T100000Z.csv. */
export function exportFileName(format: ExportFormat, windowLabel: string, nowMs: number = Date.now()): string {
  const stamp = new Date(nowMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(/[-:]/g, '');
  return `vigil-export-${windowLabel.replaceAll(/[^A-Za-z0-9]/g, '')}-${stamp}.${format}`;
}

/**
 * Where a window of `windowMs` starts, as the monitoring answers count it:
 * at a whole minute, so `1h` is the current minute and the 60 before it.
 */
export function windowStartIso(windowMs: number, nowMs: number = Date.now()): string {
  return new Date(Math.floor((nowMs - windowMs) / 60_000) * 60_000).toISOString();
}
