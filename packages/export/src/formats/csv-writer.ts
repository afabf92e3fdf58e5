import type { ByteSink } from '../byte-sink';
import type { ExportRow } from '../export-types';
import { featureCells, type ExportLayout, type FeatureCell } from '../layout';
import type { FormatWriter } from './format-writer';

/** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field. The empty string is written quoted (`""`) so that it stays
 * apart from null, which is the empty field: readers such as pandas and
 * DuckDB read the one as "" and the other as missing.
 */
export function csvField(value: FeatureCell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  if (value === '') return '""';
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** CSV per RFC 4180: a header row, then one record per prediction, CRLF line ends, UTF-8. */
export class CsvWriter implements FormatWriter {
  constructor(
    private readonly layout: ExportLayout,
    private readonly sink: ByteSink,
  ) {}

  async start(): Promise<void> {
    await this.sink.write(`${this.layout.columns.map(csvField).join(',')}\r\n`);
  }

  private line(row: ExportRow): string {
    const fields = [
      csvField(row.prediction_id),
      row.timestamp,
      csvField(row.model_version),
      String(row.prediction),
      String(row.probability),
      String(row.latency_ms),
      csvField(row.instance_id),
      csvField(row.seq),
      ...(this.layout.traceId ? [csvField(row.trace_id ?? null)] : []),
      csvField(row.label),
      csvField(row.labeled_at),
      ...featureCells(row, this.layout).map(csvField),
    ];
    return `${fields.join(',')}\r\n`;
  }

  async write(rows: readonly ExportRow[]): Promise<void> {
    let text = '';
    for (const row of rows) text += this.line(row);
    await this.sink.write(text);
  }

  async finish(): Promise<void> {}
}
