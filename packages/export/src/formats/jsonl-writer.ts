import type { ByteSink } from '../byte-sink';
import type { ExportRow } from '../export-types';
import type { ExportLayout } from '../layout';
import type { FormatWriter } from './format-writer';

const text = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));
const numberOrNull = (value: number | null): string => (value === null ? 'null' : String(value));

/**
 * JSON lines: one object per prediction, its `features` the object as stored.
 * The stored features are JSON text already, so they are copied as they are,
 * never parsed and written again.
 */
export class JsonlWriter implements FormatWriter {
  constructor(
    private readonly layout: ExportLayout,
    private readonly sink: ByteSink,
  ) {}

  async start(): Promise<void> {}

  private line(row: ExportRow): string {
    const trace = this.layout.traceId ? `,"trace_id":${text(row.trace_id ?? null)}` : '';
    return (
      `{"prediction_id":${text(row.prediction_id)},"timestamp":${text(row.timestamp)},"model_version":${text(row.model_version)},` +
      `"prediction":${row.prediction},"probability":${row.probability},"latency_ms":${row.latency_ms},` +
      `"instance_id":${text(row.instance_id)},"seq":${numberOrNull(row.seq)}${trace},` +
      `"label":${numberOrNull(row.label)},"labeled_at":${text(row.labeled_at)},"features":${row.features}}\n`
    );
  }

  async write(rows: readonly ExportRow[]): Promise<void> {
    let lines = '';
    for (const row of rows) lines += this.line(row);
    await this.sink.write(lines);
  }

  async finish(): Promise<void> {}
}
